#include "lib/gen/pacer.hh"
