#include "config/template_writer.h"
