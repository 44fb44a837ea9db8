#include "common/resolution.h"

#include "common/errors.h"

namespace dermgan {

bool isSupportedResolution(int resolution)
{
    return resolution >= kMinResolution && resolution <= kMaxResolution && (resolution & (resolution - 1)) == 0;
}

void requireSupportedResolution(int resolution, const std::string& what)
{
    if (!isSupportedResolution(resolution))
        throw InputError(what + " is " + std::to_string(resolution) + "; expected a power of two from " +
                         std::to_string(kMinResolution) + " to " + std::to_string(kMaxResolution));
}

bool isSupportedImageResolution(int resolution)
{
    return resolution >= kMinResolution && resolution <= kMaxResolution && resolution % 16 == 0;
}

void requireSupportedImageResolution(int resolution, const std::string& what)
{
    if (!isSupportedImageResolution(resolution))
        throw InputError(what + " is " + std::to_string(resolution) + "; expected a multiple of 16 from " +
                         std::to_string(kMinResolution) + " to " + std::to_string(kMaxResolution));
}

} // namespace dermgan
