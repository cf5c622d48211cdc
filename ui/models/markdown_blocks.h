#pragma once

#include <QString>
#include <QVariantList>

namespace fireside::ui {

// Splits a Markdown message into prose and fenced code blocks, so that the view can render prose as
// Markdown and give each code block its own monospace box with a Copy button. Each block is a map
// {kind: "text" | "code", text, language}. A fence still open (an answer streaming) is a code block.
QVariantList markdown_blocks(const QString& markdown);

} // namespace fireside::ui
