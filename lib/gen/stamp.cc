#include "lib/gen/stamp.hh"
