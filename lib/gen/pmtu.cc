#include "lib/gen/pmtu.hh"
