#pragma once

#include "ui/models/transcript.h"

#include <QObject>
#include <QString>
#include <QStringList>

namespace fireside::ui {

// One JSON file per conversation (<id>.json) in a directory, by default "transcripts" under
// QStandardPaths::AppDataLocation. Writes are atomic (QSaveFile: a crash leaves the old file or the
// new one, never half of one). A file that cannot be read is reported, renamed to
// <name>.corrupt-<timestamp> and never written again. Deleted conversations go to a "trash"
// subdirectory so that a delete can be undone; the trash is emptied when the store opens.
class TranscriptStore : public QObject {
    Q_OBJECT

public:
    explicit TranscriptStore(const QString& directory = {}, QObject* parent = nullptr);

    QString directory() const { return dir_; }
    QString pathFor(const QString& id) const;

    // Every readable transcript, newest first. Corrupt files are moved aside and reported through
    // `problem` (and problems()).
    QList<Transcript> loadAll();
    // False (and `problem`) when the file cannot be written.
    bool save(const Transcript& transcript);
    bool moveToTrash(const QString& id);
    bool restoreFromTrash(const QString& id);
    void emptyTrash();

    enum class Format { Json, Markdown, Text };
    static QString render(const Transcript& transcript, Format format);
    bool exportTo(const Transcript& transcript, const QString& path, Format format);
    // Reads a transcript exported as JSON. Throws fireside::Error with the file's name and the problem.
    static Transcript importFile(const QString& path);

    QStringList problems() const { return problems_; }

signals:
    void problem(const QString& message);

private:
    void report(const QString& message);
    bool write(const QString& path, const QByteArray& bytes);

    QString dir_;
    QStringList problems_;
};

} // namespace fireside::ui
