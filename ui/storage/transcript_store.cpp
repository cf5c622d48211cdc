#include "ui/storage/transcript_store.h"

#include "engine/core/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>
#include <QStandardPaths>
#include <algorithm>

namespace fireside::ui {

namespace {

const QString kTrash = QStringLiteral("trash");

QString role_title(const QString& role) {
    return role == QLatin1String("user") ? QStringLiteral("User") : QStringLiteral("Assistant");
}

} // namespace

TranscriptStore::TranscriptStore(const QString& directory, QObject* parent)
    : QObject(parent),
      dir_(directory.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                                     QStringLiteral("/transcripts")
                               : directory) {
    QDir().mkpath(dir_);
    emptyTrash();
}

QString TranscriptStore::pathFor(const QString& id) const {
    return dir_ + QLatin1Char('/') + id + QStringLiteral(".json");
}

void TranscriptStore::report(const QString& message) {
    problems_ << message;
    emit problem(message);
}

QList<Transcript> TranscriptStore::loadAll() {
    QList<Transcript> all;
    const QFileInfoList files = QDir(dir_).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QFileInfo& info : files) {
        QString why;
        QFile file(info.filePath());
        if (!file.open(QIODevice::ReadOnly)) {
            report(tr("Could not read %1: %2").arg(info.fileName(), file.errorString()));
            continue;
        }
        QJsonParseError parse;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
        file.close();
        if (parse.error != QJsonParseError::NoError)
            why = tr("%1 at byte %2").arg(parse.errorString()).arg(parse.offset);
        else if (!doc.isObject())
            why = tr("it is not a JSON object");
        Transcript t;
        if (why.isEmpty()) {
            try {
                t = Transcript::fromJson(doc.object());
                if (t.id + QStringLiteral(".json") != info.fileName())
                    why = tr("its id does not match its name");
            } catch (const std::exception& e) {
                why = QString::fromStdString(e.what());
            }
        }
        if (!why.isEmpty()) {
            const QString aside = info.filePath() + QStringLiteral(".corrupt-") +
                                  QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"));
            const bool moved = QFile::rename(info.filePath(), aside);
            report(moved ? tr("The conversation file %1 is damaged (%2); it was moved aside to %3.")
                               .arg(info.fileName(), why, QFileInfo(aside).fileName())
                         : tr("The conversation file %1 is damaged (%2) and could not be moved aside.")
                               .arg(info.fileName(), why));
            continue;
        }
        all.append(t);
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const Transcript& a, const Transcript& b) { return a.updated > b.updated; });
    return all;
}

bool TranscriptStore::write(const QString& path, const QByteArray& bytes) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        report(tr("Could not save %1: %2").arg(QFileInfo(path).fileName(), file.errorString()));
        return false;
    }
    return true;
}

bool TranscriptStore::save(const Transcript& transcript) {
    return write(pathFor(transcript.id), QJsonDocument(transcript.toJson()).toJson(QJsonDocument::Indented));
}

bool TranscriptStore::moveToTrash(const QString& id) {
    QDir(dir_).mkpath(kTrash);
    const QString target = dir_ + QLatin1Char('/') + kTrash + QLatin1Char('/') + id + QStringLiteral(".json");
    QFile::remove(target);
    return QFile::rename(pathFor(id), target);
}

bool TranscriptStore::restoreFromTrash(const QString& id) {
    const QString source = dir_ + QLatin1Char('/') + kTrash + QLatin1Char('/') + id + QStringLiteral(".json");
    return QFile::rename(source, pathFor(id));
}

void TranscriptStore::emptyTrash() {
    QDir(dir_ + QLatin1Char('/') + kTrash).removeRecursively();
}

QString TranscriptStore::render(const Transcript& t, Format format) {
    if (format == Format::Json)
        return QString::fromUtf8(QJsonDocument(t.toJson()).toJson(QJsonDocument::Indented));
    const bool md = format == Format::Markdown;
    QString out;
    out += md ? QStringLiteral("# %1\n\n").arg(t.title) : t.title + QStringLiteral("\n\n");
    if (t.kind == QLatin1String("story")) {
        if (!t.story.memory.isEmpty())
            out += (md ? QStringLiteral("> Memory: ") : QStringLiteral("Memory: ")) + t.story.memory +
                   QStringLiteral("\n\n");
        return out + t.story.text + QLatin1Char('\n');
    }
    const QString system = t.settings.value(QStringLiteral("systemPrompt")).toString();
    if (!system.isEmpty())
        out += (md ? QStringLiteral("**System:**\n\n") : QStringLiteral("System:\n")) + system +
               QStringLiteral("\n\n");
    for (const ChatMessage& m : t.messages) {
        out += md ? QStringLiteral("**%1:**\n\n").arg(role_title(m.role))
                  : role_title(m.role) + QStringLiteral(":\n");
        out += m.text().trimmed() + QStringLiteral("\n\n");
    }
    return out;
}

bool TranscriptStore::exportTo(const Transcript& transcript, const QString& path, Format format) {
    return write(path, render(transcript, format).toUtf8());
}

Transcript TranscriptStore::importFile(const QString& path) {
    QFile file(path);
    const std::string name = QFileInfo(path).fileName().toStdString();
    if (!file.open(QIODevice::ReadOnly)) throw Error(name + ": " + file.errorString().toStdString());
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject())
        throw Error(name + ": not a JSON transcript (" + parse.errorString().toStdString() + ")");
    try {
        return Transcript::fromJson(doc.object());
    } catch (const Error& e) {
        throw Error(name + ": " + e.what());
    }
}

} // namespace fireside::ui
