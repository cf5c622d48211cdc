#pragma once

#include "engine/session/chat_session.h"

#include <string>

namespace fireside {

// The text a story prompt gives the model: the memory at the top (on its own lines), then the story
// text with the author's note inserted as its own line `authors_note_depth` lines before the end of the
// text (0: after the last line; more lines than the text has: right after the memory). Empty memory
// or note are left out. The text's own end is kept as it is, so the model continues it mid-line.
std::string render_story(const StoryPrompt& story);

// Drops the oldest line of the story text (memory and note stay). A text of one line loses its first
// half instead. False when the text is already empty.
bool drop_oldest_story_line(StoryPrompt& story);

} // namespace fireside
