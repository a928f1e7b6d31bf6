#include "lib/gen/histogram.hh"
