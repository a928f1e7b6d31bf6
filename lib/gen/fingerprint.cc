#include "lib/gen/fingerprint.hh"
