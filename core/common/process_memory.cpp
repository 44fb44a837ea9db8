#include "common/process_memory.h"

#include <fstream>
#include <unistd.h>

namespace dermgan {

double residentMegabytes()
{
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;  // the second field is the resident page count
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

} // namespace dermgan
