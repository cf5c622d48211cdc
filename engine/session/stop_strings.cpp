#include "engine/session/stop_strings.h"

#include <algorithm>

namespace fireside {

StopStringMatcher::StopStringMatcher(std::vector<std::string> stop_strings) {
    for (std::string& s : stop_strings)
        if (!s.empty()) stops_.push_back(std::move(s));
}

void StopStringMatcher::reset() {
    held_.clear();
    stopped_ = false;
}

StopStringMatcher::Result StopStringMatcher::push(std::string_view text) {
    Result result;
    if (stopped_) return result;
    held_.append(text);

    // The occurrence that ends first is the one byte-by-byte feeding would have found.
    size_t best_start = std::string::npos, best_end = std::string::npos;
    const std::string* best = nullptr;
    for (const std::string& stop : stops_) {
        const size_t start = held_.find(stop);
        if (start == std::string::npos) continue;
        const size_t end = start + stop.size();
        if (end < best_end || (end == best_end && start < best_start)) {
            best_start = start;
            best_end = end;
            best = &stop;
        }
    }
    if (best) {
        result.text = held_.substr(0, best_start);
        result.stopped = true;
        result.matched = *best;
        held_.clear();
        stopped_ = true;
        return result;
    }

    // Hold back the longest tail that is still the beginning of some stop string.
    size_t keep = 0;
    for (const std::string& stop : stops_) {
        const size_t longest = std::min(stop.size() - 1, held_.size());
        for (size_t n = longest; n > keep; --n) {
            if (std::string_view(held_).substr(held_.size() - n) == std::string_view(stop).substr(0, n)) {
                keep = n;
                break;
            }
        }
    }
    result.text = held_.substr(0, held_.size() - keep);
    held_.erase(0, held_.size() - keep);
    return result;
}

std::string StopStringMatcher::flush() {
    std::string out;
    out.swap(held_);
    return out;
}

} // namespace fireside
