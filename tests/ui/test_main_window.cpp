// The main window builds from its QML, shows offscreen, says that no model is loaded, and offers the
// model dialog filtered to model files.
#include "ui/controllers/model_controller.h"
#include "ui/main_window.h"
#include "tests/support/test_support.h"

#include <QApplication>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace fireside;

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { ui::initialize_application(); }

    void shows_no_model_state() {
        ui::MainWindow main;
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
    }

    void a_bad_file_shows_a_message_and_the_window_stays_usable() {
        ui::MainWindow main;
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
        QVERIFY(main.models()->error().contains("not-a-model.bin"));
        QVERIFY(!main.models()->loaded());
        auto* banner = main.window()->findChild<QQuickItem*>("errorBanner");
        QVERIFY(banner);
        QVERIFY(banner->isVisible());
        QVERIFY(!main.models()->busy());
    }

    void opens_a_shared_model_and_shows_its_description() {
        FIRESIDE_REQUIRE_SHARED();
        ui::MainWindow main;
        QVERIFY(main.load());
        QSignalSpy changed(main.models(), &ui::ModelController::modelChanged);
        main.models()->openPath(QString::fromStdString(test::shared_path("models/stories260K.f32.bin").string()));
        QVERIFY(changed.wait(10000));
        QVERIFY(main.models()->loaded());
        QCOMPARE(main.models()->info().value("layers").toLongLong(), 5);
        QCOMPARE(main.window()->title(), QStringLiteral("stories260K.f32.bin — Fireside"));
        auto* label = main.window()->findChild<QQuickItem*>("noModelLabel");
        QVERIFY(!label->isVisible());
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
