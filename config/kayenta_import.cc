#include "config/kayenta_import.h"
