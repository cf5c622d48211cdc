#include "engine/sampling/sampler_settings.h"

#include "engine/core/error.h"

#include <cmath>
#include <fmt/format.h>

namespace fireside {
namespace {

void require(bool ok, const char* setting, double value, const char* expected) {
    if (!ok)
        throw Error(
            fmt::format("sampling setting {} = {} is invalid: it must be {}", setting, value, expected));
}

} // namespace

void SamplerSettings::validate() const {
    require(std::isfinite(temperature) && temperature >= 0, "temperature", temperature, "0 or more");
    require(std::isfinite(top_p) && top_p >= 0 && top_p <= 1, "top_p", top_p, "between 0 and 1");
    require(std::isfinite(min_p) && min_p >= 0 && min_p <= 1, "min_p", min_p, "between 0 and 1");
    require(std::isfinite(repeat_penalty) && repeat_penalty > 0, "repeat_penalty", repeat_penalty,
            "greater than 0");
    require(repeat_last_n >= -1, "repeat_last_n", repeat_last_n, "-1 (whole history), 0 or more");
    require(std::isfinite(presence_penalty), "presence_penalty", presence_penalty, "a finite number");
    require(std::isfinite(frequency_penalty), "frequency_penalty", frequency_penalty, "a finite number");
    require(mirostat >= 0 && mirostat <= 2, "mirostat", mirostat, "0 (off), 1 or 2");
    require(std::isfinite(mirostat_tau) && mirostat_tau > 0, "mirostat_tau", mirostat_tau, "greater than 0");
    require(std::isfinite(mirostat_eta) && mirostat_eta >= 0, "mirostat_eta", mirostat_eta, "0 or more");
}

} // namespace fireside
