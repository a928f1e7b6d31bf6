#include "lib/gen/targets.hh"
