// Debian's libblas-dev (netlib reference BLAS) installs cblas.h under the
// multiarch include directory, which is on the compiler's default path.
#include <cblas.h>
