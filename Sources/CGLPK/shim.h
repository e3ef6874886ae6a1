// Debian's libglpk-dev installs /usr/include/glpk.h and no pkg-config file.
#include <glpk.h>
