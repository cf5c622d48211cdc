#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fireside {

// Watches streamed text for stop strings. Text that could still be the start of a stop string is held
// back; everything else is released at once. When a stop string completes, the text before it is
// released, the stop string itself is dropped, and the matcher ignores all further input.
//
// Matching is on bytes, so a stop string split across any number of pieces, even inside a multi-byte
// character, is found; fed whole characters (as the Detokenizer gives them) it releases whole
// characters. Chunked input gives the same result as the same bytes fed one at a time: the match
// that completes first wins (and of those, the one that starts first).
class StopStringMatcher {
public:
    // Empty stop strings are ignored.
    explicit StopStringMatcher(std::vector<std::string> stop_strings);

    struct Result {
        std::string text;     // text that is now safe to show
        bool stopped = false; // a stop string just completed
        std::string matched;  // which one
    };

    Result push(std::string_view text);
    // The end of generation: releases whatever is still held back.
    std::string flush();
    // Forgets held text and any match, for a new answer.
    void reset();

    bool stopped() const { return stopped_; }
    const std::vector<std::string>& stop_strings() const { return stops_; }

private:
    std::vector<std::string> stops_;
    std::string held_;
    bool stopped_ = false;
};

} // namespace fireside
