// Why this exists: Debian installs cblas.h under the pkg-config include path of the
// chosen OpenBLAS flavour; this header lets Swift import it as module CBLAS.
#include <cblas.h>
