#include "lib/gen/probe.hh"
