// The main window builds from its QML, shows offscreen, says that no model is loaded, offers the model
// dialog filtered to model files, reports bad files in the window, and loads real models on the worker
// thread with their description.
#include "tests/support/test_support.h"
#include "tests/ui/ui_test_support.h"
#include "ui/controllers/model_controller.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace fireside;

class TestMainWindow : public QObject {
    Q_OBJECT

    QTemporaryDir data_;
    ui::MainWindowOptions options() const { return {data_.path(), {}}; }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        ui::initialize_application();
    }

    void shows_no_model_state() {
        ui::MainWindow main(options());
        QVERIFY(main.load());
        QQuickWindow* window = main.window();
        QVERIFY(window);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QVERIFY(window->isVisible());
        QCOMPARE(window->title(), QStringLiteral("Fireside"));

        auto* label = window->findChild<QQuickItem*>("noModelLabel");
        QVERIFY(label);
        QVERIFY(label->isVisible());
        QVERIFY(label->property("text").toString().contains("No model"));
        auto* button = window->findChild<QQuickItem*>("openModelButton");
        QVERIFY(button);
        QVERIFY(button->property("text").toString().startsWith("Open model"));
        QVERIFY(button->property("enabled").toBool());

        QObject* dialog = window->findChild<QObject*>("modelDialog");
        QVERIFY(dialog);
        const QStringList filters = dialog->property("nameFilters").toStringList();
        QVERIFY(!filters.isEmpty());
        QVERIFY(filters.first().contains("*.bin"));
        QVERIFY(filters.first().contains("*.gguf"));
        QVERIFY(window->findChild<QQuickItem*>("messageInput"));
        QVERIFY(window->findChild<QQuickItem*>("settingsPanel"));
    }

    void a_bad_file_shows_a_message_and_the_window_stays_usable() {
        ui::MainWindow main(options());
        QVERIFY(main.load());
        QTemporaryDir dir;
        QString path = dir.filePath("not-a-model.bin");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a model file at all, just some text");
        f.close();

        QSignalSpy errors(main.models(), &ui::ModelController::errorChanged);
        main.models()->openPath(path);
        QVERIFY(errors.wait(10000));
        QVERIFY2(main.models()->error().contains("not-a-model.bin"), qPrintable(main.models()->error()));
        QVERIFY(!main.models()->loaded());
        auto* banner = main.window()->findChild<QQuickItem*>("errorBanner");
        QVERIFY(banner);
        QVERIFY(banner->isVisible());
        QVERIFY(!main.models()->busy());

        // Still usable: a good model loads afterwards.
        const QString good = test::make_synth_model(dir.path());
        QSignalSpy ready(main.models(), &ui::ModelController::modelReady);
        main.models()->openPath(good);
        QVERIFY(ready.wait(30000));
        QVERIFY(main.models()->loaded());
    }

    void loads_a_self_made_model_and_describes_it() {
        QTemporaryDir dir;
        const QString path = test::make_synth_model(dir.path());
        ui::MainWindow main(options());
        QVERIFY(main.load());
        QSignalSpy ready(main.models(), &ui::ModelController::modelReady);
        main.models()->openPath(path);
        QVERIFY(main.models()->busy());
        QVERIFY(ready.wait(30000));
        QCOMPARE(main.models()->info().value("layers").toLongLong(), 5);
        QCOMPARE(main.models()->info().value("fileBytes").toLongLong(), QFileInfo(path).size());
        QCOMPARE(main.models()->info().value("headerHash").toString().size(), 64);
        QVERIFY(!main.models()->info().value("device").toString().isEmpty());
        QVERIFY(main.models()->recentModels().contains(QFileInfo(path).absoluteFilePath()));
        QCOMPARE(main.window()->title(), QStringLiteral("synth-stories.bin — Fireside"));
    }

    void opens_the_shared_model_and_shows_its_description() {
        FIRESIDE_REQUIRE_SHARED();
        ui::MainWindow main(options());
        QVERIFY(main.load());
        QSignalSpy ready(main.models(), &ui::ModelController::modelReady);
        main.models()->openPath(test::shared_model());
        QVERIFY(ready.wait(30000));
        QVERIFY(main.models()->loaded());
        QCOMPARE(main.models()->info().value("layers").toLongLong(), 5);
        QCOMPARE(main.models()->info().value("kvHeads").toLongLong(), 4);
        QCOMPARE(main.window()->title(), QStringLiteral("stories260K.f32.bin — Fireside"));
        auto* label = main.window()->findChild<QQuickItem*>("noModelLabel");
        QVERIFY(!label->isVisible());
    }

    void cancelling_a_load_leaves_no_model_and_no_error() {
        QTemporaryDir dir;
        const QString path = test::make_synth_model(dir.path());
        ui::MainWindow main(options());
        QVERIFY(main.load());
        main.models()->openPath(path);
        main.models()->cancel();
        QVERIFY(test::wait_for([&] { return !main.models()->busy(); }));
        // The load may have finished before the cancel was seen; either way the window is consistent.
        QVERIFY(main.models()->error().isEmpty());
        QCOMPARE(main.models()->loaded(), !main.models()->info().isEmpty());
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
