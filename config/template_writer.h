// (helper-owned stub; replaced by the Kayenta import work)
#ifndef AUGUR_CONFIG_TEMPLATE_WRITER_H_
#define AUGUR_CONFIG_TEMPLATE_WRITER_H_
#endif  // AUGUR_CONFIG_TEMPLATE_WRITER_H_
