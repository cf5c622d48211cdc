#include "engine/session/story_prompt.h"

#include <algorithm>
#include <vector>

namespace fireside {
namespace {

// The offsets where each line of `text` starts (lines end after '\n'; the last may have none).
std::vector<size_t> line_starts(const std::string& text) {
    std::vector<size_t> starts;
    if (text.empty()) return starts;
    starts.push_back(0);
    for (size_t i = 0; i + 1 < text.size(); ++i)
        if (text[i] == '\n') starts.push_back(i + 1);
    return starts;
}

void append_line(std::string& out, const std::string& line) {
    out += line;
    if (!line.empty() && line.back() != '\n') out += '\n';
}

} // namespace

std::string render_story(const StoryPrompt& story) {
    std::string out;
    if (!story.memory.empty()) append_line(out, story.memory);
    const std::vector<size_t> starts = line_starts(story.text);
    const auto n_lines = static_cast<int64_t>(starts.size());
    if (story.authors_note.empty()) return out + story.text;

    const int64_t depth = std::max<int64_t>(0, story.authors_note_depth);
    if (depth >= n_lines) {
        append_line(out, story.authors_note);
        return out + story.text;
    }
    const size_t split = depth == 0 ? story.text.size() : starts[static_cast<size_t>(n_lines - depth)];
    std::string before = story.text.substr(0, split);
    out += before;
    if (!before.empty() && before.back() != '\n') out += '\n';
    append_line(out, story.authors_note);
    return out + story.text.substr(split);
}

bool drop_oldest_story_line(StoryPrompt& story) {
    if (story.text.empty()) return false;
    const size_t newline = story.text.find('\n');
    if (newline != std::string::npos && newline + 1 < story.text.size()) {
        story.text.erase(0, newline + 1);
        return true;
    }
    // One long line: drop its first half, cut at a space where there is one so words stay whole.
    size_t cut = story.text.size() / 2;
    const size_t space = story.text.find(' ', cut);
    if (space != std::string::npos && space + 1 < story.text.size()) cut = space + 1;
    while (cut < story.text.size() && (static_cast<unsigned char>(story.text[cut]) & 0xC0) == 0x80) ++cut;
    story.text.erase(0, std::max<size_t>(cut, 1));
    return true;
}

} // namespace fireside
