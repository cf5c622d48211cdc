// Transcripts: a conversation survives a restart identically (messages, alternatives, settings,
// template, model identity, timestamps), streaming answers reach the disk while they stream, a corrupt
// file is reported and moved aside (never overwritten), export to Markdown/text/JSON and import of the
// JSON, and the conversation list's rename, duplicate, delete with undo and search.
#include "tests/ui/transcript_test_support.h"
#include "tests/ui/ui_test_support.h"
#include "ui/controllers/chat_controller.h"
#include "ui/controllers/library_controller.h"
#include "ui/controllers/model_controller.h"
#include "ui/controllers/story_controller.h"
#include "ui/engine/engine_backend.h"
#include "ui/main_window.h"
#include "ui/models/conversation_list_model.h"
#include "ui/models/generation_settings.h"
#include "ui/models/message_model.h"
#include "ui/storage/transcript_store.h"

#include <QDir>
#include <QJsonDocument>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>
#include <thread>

using namespace fireside;

class TestTranscripts : public QObject {
    Q_OBJECT

    QTemporaryDir models_;
    QString synth_;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        ui::initialize_application();
        synth_ = test::make_synth_model(models_.path());
    }

    void save_restart_and_reload_give_the_identical_transcript() {
        QTemporaryDir data;
        QJsonObject before;
        QString id;
        {
            auto main = test::open_window(data.path());
            QVERIFY(test::load_model(*main, synth_));
            main->settings()->setMaxNewTokens(20);
            main->settings()->setTemperature(0.35);
            main->settings()->setSystemPrompt(QStringLiteral("You are terse."));
            main->settings()->setTemplateName(QStringLiteral("chatml"));
            QVERIFY(main->chat()->send(QStringLiteral("Hello there")));
            QVERIFY(test::wait_for([&] { return !main->chat()->busy(); }));
            QVERIFY(main->chat()->regenerate(1));
            QVERIFY(test::wait_for([&] { return !main->chat()->busy(); }));
            id = main->library()->currentId();
            main->library()->rename(id, QStringLiteral("Greetings"));
            QVERIFY(main->library()->saveNow());
            before = main->library()->current().toJson();
            // What is on disk already is the same (autosave, before the window closes).
            QCOMPARE(test::read_transcript(main->store()->pathFor(id)).value("messages"),
                     before.value("messages"));
        }
        auto again = test::open_window(data.path());
        QCOMPARE(again->library()->currentId(), id);
        const QJsonObject after = again->library()->current().toJson();
        QCOMPARE(QJsonDocument(after).toJson(), QJsonDocument(before).toJson());
        QCOMPARE(again->messages()->count(), 2);
        QCOMPARE(again->messages()->at(1).alternatives.size(), 2);
        QCOMPARE(again->settings()->temperature(), 0.35);
        QCOMPARE(again->settings()->templateName(), QStringLiteral("chatml"));
        QCOMPARE(after.value("model").toObject().value("file").toString(),
                 QStringLiteral("synth-stories.bin"));
        QCOMPARE(after.value("model").toObject().value("headerHash").toString().size(), 64);
        QCOMPARE(after.value("template").toString(), QStringLiteral("chatml"));
        QCOMPARE(again->library()->currentTitle(), QStringLiteral("Greetings"));
    }

    void a_streaming_answer_reaches_the_disk_while_it_streams() {
        QTemporaryDir data;
        auto main = test::open_window(data.path(), [] { return std::make_unique<test::SlowWordsBackend>(); });
        QVERIFY(test::load_model(*main, synth_));
        QVERIFY(main->chat()->send(QStringLiteral("Talk")));
        const QString path = main->store()->pathFor(main->library()->currentId());
        // Before any word: the user's message is on disk at once.
        QTRY_COMPARE(test::read_transcript(path).value("messages").toArray().size(), 2);
        QCOMPARE(test::read_transcript(path)
                     .value("messages")
                     .toArray()[0]
                     .toObject()
                     .value("alternatives")
                     .toArray()[0]
                     .toString(),
                 QStringLiteral("Talk"));
        // While streaming: the saved answer grows, and is always a prefix of what the window shows.
        QString saved;
        QVERIFY(test::wait_for(
            [&] {
                saved = test::read_transcript(path)
                            .value("messages")
                            .toArray()[1]
                            .toObject()
                            .value("alternatives")
                            .toArray()[0]
                            .toString();
                return saved.contains(QStringLiteral("word5"));
            },
            10000));
        QVERIFY(main->chat()->busy());
        QVERIFY(main->messages()->textAt(1).startsWith(saved));
        main->chat()->stop();
        QVERIFY(test::wait_for([&] { return !main->chat()->busy(); }));
        QTRY_COMPARE(test::read_transcript(path)
                         .value("messages")
                         .toArray()[1]
                         .toObject()
                         .value("alternatives")
                         .toArray()[0]
                         .toString(),
                     main->messages()->textAt(1));
    }

    void a_corrupt_transcript_is_moved_aside_with_a_message() {
        QTemporaryDir data;
        const QByteArray garbage =
            "{\"format\": \"fireside-transcript\", \"version\": 1, \"id\": \"abc\", \"messages\": [";
        {
            QFile f(data.filePath("abc.json"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(garbage);
        }
        {
            QFile f(data.filePath("wrongkind.json"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"format": "fireside-transcript", "version": 1, "id": "wrongkind", "kind": "poem"})");
        }
        auto main = test::open_window(data.path());
        QVERIFY(main->load());
        QVERIFY(QTest::qWaitForWindowExposed(main->window()));
        QVERIFY(main->library()->notice().contains("abc.json") ||
                main->store()->problems().join(' ').contains("abc.json"));
        QCOMPARE(main->store()->problems().size(), 2);
        QVERIFY(main->store()->problems().join(' ').contains("moved aside"));
        QVERIFY(main->store()->problems().join(' ').contains("poem"));
        QVERIFY(!QFile::exists(data.filePath("abc.json")));
        const QStringList aside = QDir(data.path()).entryList({"abc.json.corrupt-*"}, QDir::Files);
        QCOMPARE(aside.size(), 1);
        QFile moved(data.filePath(aside.first()));
        QVERIFY(moved.open(QIODevice::ReadOnly));
        QCOMPARE(moved.readAll(), garbage);
        auto* banner = main->window()->findChild<QQuickItem*>("noticeBanner");
        QVERIFY(banner);
        QVERIFY(banner->isVisible());
        // The app carries on with a new chat, and the damaged file is never written again.
        QVERIFY(!main->library()->currentId().isEmpty());
        QVERIFY(main->library()->currentId() != QStringLiteral("abc"));
        main->library()->saveNow();
        QVERIFY(!QFile::exists(data.filePath("abc.json")));
    }

    void export_and_import() {
        QTemporaryDir data;
        auto main = test::open_window(data.path());
        QVERIFY(test::load_model(*main, synth_));
        main->settings()->setMaxNewTokens(12);
        QVERIFY(main->chat()->send(QStringLiteral("Write *bold* words")));
        QVERIFY(test::wait_for([&] { return !main->chat()->busy(); }));
        const QString id = main->library()->currentId();
        const QString answer = main->messages()->textAt(1).trimmed();

        QVERIFY(main->library()->exportTo(id, QUrl::fromLocalFile(data.filePath("out.md")), "md"));
        const QString md = QString::fromUtf8(test::read_file(data.filePath("out.md").toStdString()));
        QVERIFY(md.startsWith("# Write *bold* words"));
        QVERIFY(md.contains("**User:**\n\nWrite *bold* words"));
        QVERIFY(md.contains("**Assistant:**\n\n" + answer));

        QVERIFY(main->library()->exportTo(id, QUrl::fromLocalFile(data.filePath("out.txt")), "txt"));
        const QString txt = QString::fromUtf8(test::read_file(data.filePath("out.txt").toStdString()));
        QVERIFY(txt.contains("User:\nWrite *bold* words"));
        QVERIFY(!txt.contains("**"));

        QVERIFY(main->library()->exportTo(id, QUrl::fromLocalFile(data.filePath("out.json")), "json"));
        const int before = main->library()->conversations()->rowCount();
        QVERIFY(main->library()->importFrom(QUrl::fromLocalFile(data.filePath("out.json"))));
        QCOMPARE(main->library()->conversations()->rowCount(), before + 1);
        QVERIFY(main->library()->currentId() != id);
        QCOMPARE(main->messages()->textAt(0), QStringLiteral("Write *bold* words"));
        QCOMPARE(main->messages()->textAt(1).trimmed(), answer);

        QVERIFY(!main->library()->importFrom(QUrl::fromLocalFile(data.filePath("out.md"))));
        QVERIFY(main->library()->notice().contains("out.md"));
    }

    void rename_duplicate_delete_with_undo_and_search() {
        QTemporaryDir data;
        auto main = test::open_window(data.path());
        QVERIFY(test::load_model(*main, synth_));
        main->settings()->setMaxNewTokens(5);
        ui::LibraryController* lib = main->library();
        QVERIFY(main->chat()->send(QStringLiteral("About dragons")));
        QVERIFY(test::wait_for([&] { return !main->chat()->busy(); }));
        const QString first = lib->currentId();
        lib->newStory();
        QCOMPARE(lib->currentKind(), QStringLiteral("story"));
        main->story()->setText(QStringLiteral("The lighthouse keeper"));
        const QString story = lib->currentId();
        QCOMPARE(lib->conversations()->rowCount(), 2);

        lib->rename(first, QStringLiteral("Dragons"));
        QCOMPARE(lib->conversations()->find(first)->title, QStringLiteral("Dragons"));
        QCOMPARE(test::read_transcript(main->store()->pathFor(first)).value("title").toString(),
                 QStringLiteral("Dragons"));

        lib->conversations()->setFilter(QStringLiteral("lighthouse"));
        QTRY_COMPARE(lib->conversations()->rowCount(), 1); // once the autosave has run
        QCOMPARE(lib->conversations()->idAt(0), story);
        lib->conversations()->setFilter(QStringLiteral("DRAGON"));
        QCOMPARE(lib->conversations()->rowCount(), 1);
        QCOMPARE(lib->conversations()->idAt(0), first);
        lib->conversations()->setFilter({});

        lib->duplicate(first);
        QCOMPARE(lib->conversations()->rowCount(), 3);
        QCOMPARE(lib->currentTitle(), QStringLiteral("Dragons (copy)"));
        QCOMPARE(main->messages()->textAt(0), QStringLiteral("About dragons"));

        lib->remove(first);
        QCOMPARE(lib->conversations()->rowCount(), 2);
        QVERIFY(!QFile::exists(main->store()->pathFor(first)));
        QVERIFY(lib->canUndoDelete());
        lib->undoDelete();
        QCOMPARE(lib->conversations()->rowCount(), 3);
        QVERIFY(QFile::exists(main->store()->pathFor(first)));
        QCOMPARE(lib->currentId(), first);
        QCOMPARE(main->messages()->textAt(0), QStringLiteral("About dragons"));
    }

    // The search follows what is saved: a conversation appears when its new text matches and
    // disappears when it no longer does, whether or not it moves in the list.
    void search_follows_saved_text() {
        ui::ConversationListModel list;
        ui::Transcript story;
        story.id = QStringLiteral("s");
        story.kind = QStringLiteral("story");
        story.title = QStringLiteral("New story");
        story.updated = QDateTime::fromMSecsSinceEpoch(1000);
        ui::Transcript chat = story;
        chat.id = QStringLiteral("c");
        chat.kind = QStringLiteral("chat");
        chat.updated = QDateTime::fromMSecsSinceEpoch(500);
        list.setAll({story, chat});
        list.setFilter(QStringLiteral("lighthouse"));
        QCOMPARE(list.rowCount(), 0);

        story.story.text = QStringLiteral("The lighthouse keeper");
        story.updated = QDateTime::fromMSecsSinceEpoch(2000); // still the newest: it does not move
        list.upsert(story);
        QCOMPARE(list.rowCount(), 1);
        QCOMPARE(list.idAt(0), QStringLiteral("s"));

        story.story.text = QStringLiteral("The keeper"); // same time: an edit while streaming
        list.upsert(story);
        QCOMPARE(list.rowCount(), 0);

        chat.story.text = QStringLiteral("lighthouse");
        chat.updated = QDateTime::fromMSecsSinceEpoch(3000); // moves to the top and matches
        list.upsert(chat);
        QCOMPARE(list.rowCount(), 1);
        QCOMPARE(list.idAt(0), QStringLiteral("c"));
    }

    void a_story_continues_retries_and_undoes_and_is_saved() {
        QTemporaryDir data;
        auto main = test::open_window(data.path());
        QVERIFY(test::load_model(*main, test::have_shared() ? test::shared_model() : synth_));
        ui::StoryController* story = main->story();
        main->library()->newStory();
        main->settings()->setMaxNewTokens(30);
        story->setMemory(QStringLiteral("Lily has a red ball."));
        story->setAuthorsNote(QStringLiteral("Happy ending."));
        story->setText(QStringLiteral("Once upon a time, Lily"));
        QVERIFY(story->continueStory());
        QVERIFY(test::wait_for([&] { return !story->busy(); }));
        const QString first = story->text();
        QVERIFY(first.startsWith(QStringLiteral("Once upon a time, Lily")));
        QVERIFY(first.size() > 22);
        const auto request = main->worker()->lastGeneration();
        QCOMPARE(request.story.memory, std::string("Lily has a red ball."));
        QCOMPARE(request.story.authors_note, std::string("Happy ending."));
        QCOMPARE(request.story.text, std::string("Once upon a time, Lily"));

        main->settings()->setSeed(-1);
        QVERIFY(story->retry());
        QVERIFY(test::wait_for([&] { return !story->busy(); }));
        QCOMPARE(story->alternativeCount(), 2);
        story->showAlternative(0);
        QCOMPARE(story->text(), first);
        story->undo();
        QCOMPARE(story->text(), QStringLiteral("Once upon a time, Lily"));

        main->library()->saveNow();
        const QJsonObject saved = test::read_transcript(main->store()->pathFor(main->library()->currentId()));
        QCOMPARE(saved.value("kind").toString(), QStringLiteral("story"));
        QCOMPARE(saved.value("story").toObject().value("text").toString(),
                 QStringLiteral("Once upon a time, Lily"));
        QCOMPARE(saved.value("story").toObject().value("memory").toString(),
                 QStringLiteral("Lily has a red ball."));
    }
};

QTEST_MAIN(TestTranscripts)
#include "test_transcripts.moc"
