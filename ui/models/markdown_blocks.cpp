#include "ui/models/markdown_blocks.h"

#include <QStringList>
#include <QVariantMap>

namespace fireside::ui {

QVariantList markdown_blocks(const QString& markdown) {
    QVariantList blocks;
    QStringList current;
    QString language;
    bool in_code = false;
    auto flush = [&] {
        QString text = current.join(QLatin1Char('\n'));
        current.clear();
        if (!in_code) text = text.trimmed();
        if (text.isEmpty() && !in_code) return;
        blocks.append(QVariantMap{{"kind", in_code ? QStringLiteral("code") : QStringLiteral("text")},
                                  {"text", text},
                                  {"language", in_code ? language : QString()}});
    };
    const QStringList lines = markdown.split(QLatin1Char('\n'));
    for (const QString& line : lines) {
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(QLatin1String("```"))) {
            flush();
            in_code = !in_code;
            language = in_code ? trimmed.mid(3).trimmed() : QString();
            continue;
        }
        current << line;
    }
    flush();
    return blocks;
}

} // namespace fireside::ui
