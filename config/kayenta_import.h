// (helper-owned stub; replaced by the Kayenta import work)
#ifndef AUGUR_CONFIG_KAYENTA_IMPORT_H_
#define AUGUR_CONFIG_KAYENTA_IMPORT_H_
#endif  // AUGUR_CONFIG_KAYENTA_IMPORT_H_
