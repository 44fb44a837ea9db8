#pragma once
// How much memory this process holds, for the training log's rss_mb (Linux only: /proc, see proc(5)).

namespace dermgan {

// Resident set size of this process in MiB, from /proc/self/statm; 0 where /proc is not readable.
double residentMegabytes();

} // namespace dermgan
