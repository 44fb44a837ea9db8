#include "model_arguments.h"

#include <sstream>
#include <stdexcept>

#include "common/errors.h"

namespace dermgan::cli {

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream list(text);
    std::string item;
    while (std::getline(list, item, ','))
        if (!item.empty())
            items.push_back(item);
    return items;
}

// "0-7,42" -> 0 1 2 3 4 5 6 7 42
std::vector<std::uint32_t> parseSeeds(const std::string& text)
{
    std::vector<std::uint32_t> seeds;
    std::stringstream list(text);
    std::string part;
    while (std::getline(list, part, ',')) {
        try {
            const auto dash = part.find('-', 1);
            const unsigned long first = std::stoul(part.substr(0, dash));
            const unsigned long last = dash == std::string::npos ? first : std::stoul(part.substr(dash + 1));
            if (last < first || last - first > 100000 || last > 0xffffffffUL)
                throw std::out_of_range(part);
            for (unsigned long s = first; s <= last; ++s)
                seeds.push_back(static_cast<std::uint32_t>(s));
        } catch (const std::logic_error&) {
            throw InputError("seeds '" + text + "' cannot be read at '" + part + "'; expected e.g. 0-7,42");
        }
    }
    if (seeds.empty())
        throw InputError("no seeds given; expected e.g. --seeds 0-7,42");
    return seeds;
}

std::vector<int64_t> parseClasses(const std::string& text, const nets::NetworkConfig& network)
{
    if (network.classCount == 0) {
        if (!text.empty())
            throw InputError("the model is unconditional (no classes) but --class " + text + " was given");
        return {-1};
    }
    if (text.empty())
        throw InputError("the model is conditional: give --class (0-" + std::to_string(network.classCount - 1) +
                         ", a class name, or all)");
    if (text == "all") {
        std::vector<int64_t> all;
        for (int c = 0; c < network.classCount; ++c)
            all.push_back(c);
        return all;
    }
    for (std::size_t c = 0; c < network.classNames.size(); ++c)
        if (network.classNames[c] == text)
            return {static_cast<int64_t>(c)};
    try {
        std::size_t used = 0;
        const int value = std::stoi(text, &used);
        if (used == text.size() && value >= 0 && value < network.classCount)
            return {value};
    } catch (const std::logic_error&) {
    }
    std::string names;
    for (const auto& name : network.classNames)
        names += (names.empty() ? "" : ", ") + name;
    throw InputError("class '" + text + "' is not one of the model's " + std::to_string(network.classCount) +
                     " classes (0-" + std::to_string(network.classCount - 1) + (names.empty() ? "" : ": " + names) + ")");
}

nets::NoiseMode parseNoise(const std::string& text)
{
    if (text == "const") return nets::NoiseMode::Const;
    if (text == "random") return nets::NoiseMode::Random;
    if (text == "none") return nets::NoiseMode::None;
    throw InputError("noise mode '" + text + "'; expected const, random or none");
}


} // namespace dermgan::cli
