#pragma once

// Helpers shared by the UI tests: model files (a self-made one, and the shared TinyStories model), a
// meter of the event loop's longest stall, and waiting for a condition.
#include "engine/format/synth_model.h"
#include "engine/quant/quant_mix.h"
#include "tests/support/test_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QQuickItem>
#include <QString>
#include <QTest>
#include <QTimer>
#include <functional>
#include <optional>

namespace fireside::test {

// A random-weight model of TinyStories' shape written into `dir`: the engine runs it like any other.
inline QString make_synth_model(const QString& dir, std::optional<SynthShape> shape = std::nullopt,
                                const QString& name = QStringLiteral("synth-stories.bin")) {
    SynthSpec spec;
    spec.shape = shape ? *shape : *synth_shape_preset("stories260k");
    spec.seed = 7;
    spec.name = "ui-test";
    SynthModel model(spec);
    const QString path = dir + QLatin1Char('/') + name;
    write_synth_model(path.toStdString(), model, require_quant_mix("f32"), {Container::Ggjt, 1, {}});
    return path;
}

inline QString shared_model() {
    return have_shared() ? QString::fromStdString(shared_path("models/stories260K.f32.bin").string())
                         : QString();
}

// Ticks every 10 ms and records the longest gap between ticks: how long the event loop stalled.
class StallMeter {
public:
    StallMeter() {
        timer_.setInterval(10);
        timer_.setTimerType(Qt::PreciseTimer);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            const qint64 now = clock_.elapsed();
            max_gap_ = std::max(max_gap_, now - last_);
            last_ = now;
            ++ticks_;
        });
        clock_.start();
        timer_.start();
    }
    qint64 maxGapMs() const { return max_gap_; }
    int ticks() const { return ticks_; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = 0;
    qint64 max_gap_ = 0;
    int ticks_ = 0;
};

inline bool wait_for(const std::function<bool()>& done, int timeout_ms = 30000) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeout_ms) return false;
        QTest::qWait(5);
    }
    return true;
}

// The visual item named `name` under `root` (ListView delegates are not QObject children of the window).
inline QQuickItem* find_item(QQuickItem* root, const QString& name, bool visible_only = false) {
    if (!root || (visible_only && !root->isVisible())) return nullptr;
    if (root->objectName() == name) return root;
    for (QQuickItem* child : root->childItems())
        if (QQuickItem* found = find_item(child, name, visible_only)) return found;
    return nullptr;
}

// Where the test run leaves screenshots: <build>/tests/ui/screenshots.
inline QString screenshot_dir() {
    const QString dir =
        QDir(QCoreApplication::applicationDirPath() + QStringLiteral("/../tests/ui/screenshots"))
            .absolutePath();
    QDir().mkpath(dir);
    return dir;
}

} // namespace fireside::test
