#pragma once

#include <cstdint>

namespace fireside {

// xoshiro256** seeded through splitmix64: the same seed gives the same numbers on every compiler and
// platform, which the standard library's distributions do not promise.
class Random {
public:
    explicit Random(uint64_t seed);

    uint64_t next();
    // Uniform in [0, 1), from the top 53 bits.
    double uniform();

private:
    uint64_t s_[4];
};

} // namespace fireside
