#pragma once
// Whether a JPEG's compressed data are complete. libjpeg (and so OpenCV) decodes a JPEG whose entropy-coded
// data stop early into a grey-filled image with only a warning; an end-of-image marker appended to half a
// file, or a header promising 10000x10000 pixels over a kilobyte, pass any marker test. Decoding the DC
// coefficients only (libjpeg's 1/8 scaling) reads every entropy-coded segment at a fraction of a full decode.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dermgan {

// nullopt when `bytes` are not a JPEG or decode without data warnings; else libjpeg's message, e.g.
// "Premature end of JPEG file" or "Corrupt JPEG data: premature end of data segment".
std::optional<std::string> jpegDataProblem(const std::vector<std::uint8_t>& bytes);

} // namespace dermgan
