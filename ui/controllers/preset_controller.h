#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>

namespace fireside::ui {

class GenerationSettings;

// App-wide defaults for new conversations, named presets (built-in ones, creative ones for stories,
// and the user's own), and the colour theme; kept in QSettings.
class PresetController : public QObject {
    Q_OBJECT
    Q_PROPERTY(QStringList presetNames READ presetNames NOTIFY presetsChanged)
    Q_PROPERTY(QStringList builtinNames READ builtinNames CONSTANT)
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)

public:
    explicit PresetController(QObject* parent = nullptr);

    QStringList presetNames() const;
    QStringList builtinNames() const;
    QString theme() const { return theme_; }
    void setTheme(const QString& theme);

    Q_INVOKABLE void applyDefaults(GenerationSettings* target) const;
    Q_INVOKABLE bool applyPreset(const QString& name, GenerationSettings* target) const;
    Q_INVOKABLE void savePreset(const QString& name, const GenerationSettings* source);
    Q_INVOKABLE void deletePreset(const QString& name);
    // The settings' sampling part becomes the default for new conversations.
    Q_INVOKABLE void makeDefaults(const GenerationSettings* source);

signals:
    void presetsChanged();
    void themeChanged();

private:
    QJsonObject defaults_;
    QJsonObject user_; // name -> settings
    QString theme_;
};

} // namespace fireside::ui
