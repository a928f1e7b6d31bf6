#include "lib/gen/reply.hh"
