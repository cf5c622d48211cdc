#include "ui/controllers/model_controller.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv) {
    // QApplication rather than QGuiApplication: native file dialogs fall back to Qt Widgets ones.
    QApplication app(argc, argv);
    fireside::ui::initialize_application();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Chat with LLaMA-family models on your own computer."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QStringLiteral("A GGML v3 .bin or GGUF model to open."),
                                 QStringLiteral("[model]"));
    parser.process(app);

    fireside::ui::MainWindow window;
    if (!window.load()) return 1;
    // The window shows at once; the model loads on the worker and the message box takes the focus
    // when it is ready.
    if (!parser.positionalArguments().isEmpty())
        window.models()->openPath(parser.positionalArguments().first());
    return app.exec();
}
