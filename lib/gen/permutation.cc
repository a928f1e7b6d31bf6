#include "lib/gen/permutation.hh"
