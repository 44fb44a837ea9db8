#pragma once
// Fast non-cryptographic fingerprints for cache keys and agreement checks (never for security).
#include <cstdint>
#include <string>

namespace dermgan {

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

// FNV-1a over eight-byte words (then the tail bytes): the spread of byte-wise FNV, eight times faster.
std::uint64_t fnvWords(const void* data, std::size_t size, std::uint64_t hash = kFnvOffset);
// 16 lower-case hex digits.
std::string hex16(std::uint64_t value);
// hex16(fnvWords(text)).
std::string textHash(const std::string& text);

} // namespace dermgan
