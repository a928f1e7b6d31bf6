#include "lib/gen/accounting.hh"
