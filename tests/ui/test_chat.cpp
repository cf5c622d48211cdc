// The chat with the real engine on a self-made model and on the shared TinyStories model: answers
// stream in piece by piece, Stop stops mid-stream, regenerate keeps both answers, edit-and-resend,
// the settings panel's sliders reach the engine, the event loop keeps ticking while a model loads
// and answers, and a screenshot of the window with a streamed answer is written.
#include "tests/ui/ui_test_support.h"
#include "ui/controllers/chat_controller.h"
#include "ui/controllers/generation_status.h"
#include "ui/controllers/model_controller.h"
#include "ui/engine/reply.h"
#include "ui/main_window.h"
#include "ui/models/generation_settings.h"
#include "ui/models/message_model.h"

#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

using namespace fireside;

namespace {

// A window over a fresh data directory with `model` loaded.
struct Harness {
    QTemporaryDir data;
    std::unique_ptr<ui::MainWindow> main;

    bool open(const QString& model) {
        main = std::make_unique<ui::MainWindow>(ui::MainWindowOptions{data.path(), {}});
        if (!main->load() || !QTest::qWaitForWindowExposed(main->window())) return false;
        main->settings()->setSeed(42);
        main->settings()->setMaxNewTokens(400);
        QSignalSpy ready(main->models(), &ui::ModelController::modelReady);
        main->models()->openPath(model);
        return ready.wait(60000);
    }
    bool waitIdle() {
        return test::wait_for([&] { return !main->chat()->busy(); }, 60000);
    }
};

} // namespace

class TestChat : public QObject {
    Q_OBJECT

    QTemporaryDir models_;
    QString synth_;

    void add_models() {
        QTest::addColumn<QString>("model");
        QTest::newRow("self-made") << synth_;
        if (test::have_shared()) QTest::newRow("stories260K") << test::shared_model();
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        ui::initialize_application();
        synth_ = test::make_synth_model(models_.path());
    }

    void a_sent_message_streams_in_incrementally_data() { add_models(); }
    void a_sent_message_streams_in_incrementally() {
        QFETCH(QString, model);
        Harness h;
        QVERIFY(h.open(model));
        QVERIFY(h.main->chat()->send(QStringLiteral("Tell me about a cat.")));
        QCOMPARE(h.main->messages()->count(), 2);
        const int row = 1;
        ui::Reply* reply = h.main->chat()->currentReply();
        QVERIFY(reply);
        QStringList seen; // the message's text each time a piece arrived
        connect(reply, &ui::Reply::piece, this, [&] { seen << h.main->messages()->textAt(row); });
        QVERIFY(h.main->messages()->at(row).streaming);
        QVERIFY(h.waitIdle());
        QVERIFY2(seen.size() >= 3, qPrintable(QStringLiteral("%1 pieces").arg(seen.size())));
        for (int i = 1; i < seen.size(); ++i) {
            QVERIFY(seen[i].size() > seen[i - 1].size());
            QVERIFY(seen[i].startsWith(seen[i - 1]));
        }
        QCOMPARE(h.main->messages()->textAt(row), seen.last());
        QVERIFY(!h.main->messages()->at(row).streaming);
        const QVariantMap stats = h.main->messages()->at(row).stats;
        QVERIFY(stats.value("generatedTokens").toInt() > 0);
        QCOMPARE(h.main->status()->stats().value("generatedTokens"), stats.value("generatedTokens"));
        // The engine got the user's words as the one turn.
        const auto request = h.main->worker()->lastGeneration();
        QCOMPARE(request.conversation.turns.size(), size_t(1));
        QCOMPARE(request.conversation.turns[0].text, std::string("Tell me about a cat."));
    }

    void stop_stops_mid_stream_data() { add_models(); }
    void stop_stops_mid_stream() {
        QFETCH(QString, model);
        Harness h;
        QVERIFY(h.open(model));
        h.main->settings()->setMaxNewTokens(4000);
        QVERIFY(h.main->chat()->send(QStringLiteral("Once upon a time")));
        ui::Reply* reply = h.main->chat()->currentReply();
        QSignalSpy pieces(reply, &ui::Reply::piece);
        QVERIFY(pieces.wait(30000));
        // Stop from the window, as a user would.
        auto* stop = h.main->window()->findChild<QQuickItem*>("stopButton");
        QVERIFY(stop);
        QVERIFY(QMetaObject::invokeMethod(stop, "clicked"));
        QVERIFY(h.waitIdle());
        const QVariantMap stats = h.main->messages()->at(1).stats;
        QCOMPARE(stats.value("reason").toString(), QStringLiteral("cancelled"));
        QVERIFY(stats.value("generatedTokens").toInt() < 4000);
        const QString text = h.main->messages()->textAt(1);
        QTest::qWait(200);
        QCOMPARE(h.main->messages()->textAt(1), text);
        QVERIFY(h.main->window()->findChild<QQuickItem*>("sendButton"));
    }

    void regenerate_keeps_both_alternatives_data() { add_models(); }
    void regenerate_keeps_both_alternatives() {
        QFETCH(QString, model);
        Harness h;
        QVERIFY(h.open(model));
        h.main->settings()->setSeed(-1); // a different answer each time
        h.main->settings()->setMaxNewTokens(40);
        QVERIFY(h.main->chat()->send(QStringLiteral("Hello")));
        QVERIFY(h.waitIdle());
        const QString first = h.main->messages()->textAt(1);
        QVERIFY(!first.isEmpty());
        QVERIFY(h.main->chat()->regenerate(1));
        QVERIFY(h.waitIdle());
        const ui::ChatMessage& m = h.main->messages()->at(1);
        QCOMPARE(m.alternatives.size(), 2);
        QCOMPARE(m.current, 1);
        QCOMPARE(m.alternatives[0], first);
        QVERIFY(!m.alternatives[1].isEmpty());
        // The regeneration was asked from the same conversation, without the old answer.
        QCOMPARE(h.main->worker()->lastGeneration().conversation.turns.size(), size_t(1));
        // With the seed setting "random", the answer records the seed it was drawn with (transcripts
        // keep it, so an answer can be reproduced).
        bool is_number = false;
        QCOMPARE(m.stats.value("seed").toString().toULongLong(&is_number),
                 h.main->worker()->lastGeneration().options.sampler.seed);
        QVERIFY(is_number);
        // Browsing: < 1/2 shows the first answer again.
        auto* label = test::find_item(h.main->window()->contentItem(), "alternativeLabel", true);
        QVERIFY(label);
        QCOMPARE(label->property("text").toString(), QStringLiteral("2/2"));
        h.main->chat()->showAlternative(1, 0);
        QCOMPARE(h.main->messages()->textAt(1), first);
        QCOMPARE(label->property("text").toString(), QStringLiteral("1/2"));
    }

    void edit_and_resend() {
        Harness h;
        QVERIFY(h.open(synth_));
        QVERIFY(h.main->chat()->send(QStringLiteral("Hello")));
        QVERIFY(h.waitIdle());
        QVERIFY(h.main->chat()->send(QStringLiteral("And then?")));
        QVERIFY(h.waitIdle());
        QCOMPARE(h.main->messages()->count(), 4);
        QVERIFY(h.main->chat()->editAndResend(0, QStringLiteral("Tell me a story")));
        QVERIFY(h.waitIdle());
        QCOMPARE(h.main->messages()->count(), 2);
        const ui::ChatMessage& user = h.main->messages()->at(0);
        QCOMPARE(user.alternatives, QStringList({"Hello", "Tell me a story"}));
        QCOMPARE(user.text(), QStringLiteral("Tell me a story"));
        const auto request = h.main->worker()->lastGeneration();
        QCOMPARE(request.conversation.turns.size(), size_t(1));
        QCOMPARE(request.conversation.turns[0].text, std::string("Tell me a story"));
        QVERIFY(!h.main->messages()->textAt(1).isEmpty());
    }

    void continue_and_delete() {
        Harness h;
        QVERIFY(h.open(synth_));
        h.main->settings()->setMaxNewTokens(10);
        QVERIFY(h.main->chat()->send(QStringLiteral("Hello")));
        QVERIFY(h.waitIdle());
        const QString before = h.main->messages()->textAt(1);
        QVERIFY(h.main->chat()->continueReply());
        QVERIFY(h.waitIdle());
        QVERIFY(h.main->messages()->textAt(1).startsWith(before));
        const auto request = h.main->worker()->lastGeneration();
        QCOMPARE(request.conversation.turns.size(), size_t(2));
        QCOMPARE(request.conversation.turns[1].role, ChatRole::Assistant);
        h.main->chat()->deleteMessage(1);
        QCOMPARE(h.main->messages()->count(), 1);
        QCOMPARE(h.main->messages()->roleAt(0), QStringLiteral("user"));
    }

    void the_sliders_change_what_the_engine_receives() {
        Harness h;
        QVERIFY(h.open(synth_));
        QQuickWindow* window = h.main->window();

        // Temperature: a click on the slider's track at a quarter of its length (0..2 -> 0.5).
        auto* track = window->findChild<QQuickItem*>("temperatureSliderTrack");
        QVERIFY(track);
        const double left = track->property("leftPadding").toDouble();
        const double width = track->property("availableWidth").toDouble();
        const QPointF at = track->mapToScene(QPointF(left + width * 0.25, track->height() / 2));
        QTest::mouseClick(window, Qt::LeftButton, {}, at.toPoint());
        QTRY_VERIFY(qAbs(h.main->settings()->temperature() - 0.5) < 0.051);

        // Repeat penalty: typed into its numeric field.
        auto* field = window->findChild<QQuickItem*>("repeatPenaltySliderField");
        QVERIFY(field);
        field->setProperty("text", QStringLiteral("1.3"));
        QVERIFY(QMetaObject::invokeMethod(field, "editingFinished"));
        QCOMPARE(h.main->settings()->repeatPenalty(), 1.3);

        // Top-k, min-p and max new tokens through the same path a drag takes.
        for (auto [name, value] : {std::pair{"topKSlider", 7.0},
                                   {"minPSlider", 0.2},
                                   {"maxNewTokensSlider", 9.0},
                                   {"topPSlider", 0.5},
                                   {"repeatLastNSlider", 32.0}}) {
            auto* slider = window->findChild<QQuickItem*>(name);
            QVERIFY2(slider, name);
            QVERIFY(QMetaObject::invokeMethod(slider, "userSet", Q_ARG(QVariant, value)));
        }
        auto* seed = window->findChild<QQuickItem*>("seedBox");
        QVERIFY(seed);
        seed->setProperty("value", 1234);
        QVERIFY(QMetaObject::invokeMethod(seed, "valueModified"));

        QVERIFY(h.main->chat()->send(QStringLiteral("Hi")));
        QVERIFY(h.waitIdle());
        const SamplerSettings s = h.main->worker()->lastGeneration().options.sampler;
        QVERIFY(qAbs(s.temperature - h.main->settings()->temperature()) < 1e-6);
        QVERIFY(qAbs(s.temperature - 0.5f) < 0.051f);
        QVERIFY(qAbs(s.repeat_penalty - 1.3f) < 1e-6f);
        QCOMPARE(s.top_k, 7);
        QVERIFY(qAbs(s.min_p - 0.2f) < 1e-6f);
        QVERIFY(qAbs(s.top_p - 0.5f) < 1e-6f);
        QCOMPARE(s.repeat_last_n, 32);
        QCOMPARE(s.seed, uint64_t(1234));
        QCOMPARE(h.main->worker()->lastGeneration().options.max_new_tokens, 9);
        QVERIFY(h.main->messages()->at(1).stats.value("generatedTokens").toInt() <= 9);

        // The context slider reloads the model with the new size.
        auto* context = window->findChild<QQuickItem*>("contextSlider");
        QVERIFY(QMetaObject::invokeMethod(context, "userSet", Q_ARG(QVariant, 256.0)));
        QCOMPARE(h.main->settings()->contextLength(), 256);
        QTRY_VERIFY_WITH_TIMEOUT(h.main->models()->busy() || h.main->worker()->lastLoad().n_ctx == 256, 5000);
        QVERIFY(test::wait_for([&] { return !h.main->models()->busy(); }));
        QCOMPARE(h.main->worker()->lastLoad().n_ctx, 256);
        QCOMPARE(h.main->models()->info().value("context").toLongLong(), 256);

        // The device box (the suite runs with Mesa's software Vulkan device): choosing a device
        // reloads the model on it by name, and "Automatic" hands the choice back to the engine.
        QTRY_VERIFY_WITH_TIMEOUT(h.main->models()->gpuAvailable(), 10000);
        const QString device = h.main->models()->devices().value(0).toMap().value("name").toString();
        QVERIFY(!device.isEmpty());
        auto* box = window->findChild<QQuickItem*>("gpuDeviceBox");
        QVERIFY(box);
        QCOMPARE(box->property("currentIndex").toInt(), 0);
        QVERIFY(QMetaObject::invokeMethod(box, "activated", Q_ARG(int, 1)));
        QCOMPARE(h.main->settings()->gpuDevice(), device);
        QCOMPARE(box->property("currentIndex").toInt(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(h.main->worker()->lastLoad().gpu_device == device, 5000);
        QVERIFY(test::wait_for([&] { return !h.main->models()->busy(); }));
        QVERIFY(h.main->models()->info().value("context").toLongLong() > 0);
        QCOMPARE(h.main->settings()->toJson().value("gpuDevice").toString(), device);
        QVERIFY(QMetaObject::invokeMethod(box, "activated", Q_ARG(int, 0)));
        QVERIFY(h.main->settings()->gpuDevice().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(h.main->worker()->lastLoad().gpu_device.isEmpty(), 5000);
        QVERIFY(test::wait_for([&] { return !h.main->models()->busy(); }));
    }

    void the_event_loop_never_stalls_while_loading_and_generating() {
        QTemporaryDir data;
        ui::MainWindow main(ui::MainWindowOptions{data.path(), {}});
        QVERIFY(main.load());
        QVERIFY(QTest::qWaitForWindowExposed(main.window()));
        main.settings()->setMaxNewTokens(200);
        main.settings()->setSeed(3);
        // A self-made model big enough that loading and answering take a while (54 MB, 13M weights).
        const QString big = test::make_synth_model(data.path(), SynthShape{512, 512, 8, 8, 4, 1536, 2048},
                                                   QStringLiteral("synth-e512.bin"));
        test::StallMeter meter;
        QSignalSpy ready(main.models(), &ui::ModelController::modelReady);
        main.models()->openPath(big);
        // Queued behind the load: the answer starts as soon as the model is ready.
        QVERIFY(main.chat()->send(QStringLiteral("Once upon a time there was a little dog.")));
        QVERIFY(ready.wait(60000));
        QVERIFY(test::wait_for([&] { return !main.chat()->busy(); }, 60000));
        QVERIFY(main.messages()->at(1).stats.value("generatedTokens").toInt() > 0);
        qInfo("longest event-loop stall: %lld ms over %d ticks", meter.maxGapMs(), meter.ticks());
        QVERIFY2(meter.maxGapMs() < 100, qPrintable(QStringLiteral("stalled %1 ms").arg(meter.maxGapMs())));
    }

    void writes_a_screenshot_with_a_streamed_answer() {
        Harness h;
        QVERIFY(h.open(test::have_shared() ? test::shared_model() : synth_));
        h.main->settings()->setMaxNewTokens(60);
        QVERIFY(h.main->chat()->send(QStringLiteral("Tell me a story about a brave little bird.")));
        QVERIFY(h.waitIdle());
        QVERIFY(!h.main->messages()->textAt(1).isEmpty());
        QTest::qWait(100); // a frame with the final text
        const QImage shot = h.main->window()->grabWindow();
        QVERIFY(!shot.isNull());
        const QString path = test::screenshot_dir() + QStringLiteral("/main-window.png");
        QVERIFY(shot.save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
};

QTEST_MAIN(TestChat)
#include "test_chat.moc"
