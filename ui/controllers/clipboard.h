#pragma once

#include <QClipboard>
#include <QGuiApplication>
#include <QObject>

namespace fireside::ui {

// QML in Qt 6.4 has no clipboard API; the Copy buttons call this.
class Clipboard : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;
    Q_INVOKABLE void setText(const QString& text) { QGuiApplication::clipboard()->setText(text); }
    Q_INVOKABLE QString text() const { return QGuiApplication::clipboard()->text(); }
};

} // namespace fireside::ui
