// Crash safety: a child process writes through the Writer and reports each committed datagram id
// over a pipe; the parent kills it with SIGKILL mid-stream and checks what survived.

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using namespace std::chrono_literals;
using testing::TempFolder;

[[noreturn]] void write_until_killed(const std::filesystem::path& file, int report_fd) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a parent that failed early
    WriterOptions options;
    options.batch_rows = 100;
    options.batch_delay = 2ms;
    options.on_commit = [report_fd](const CommitInfo& info) {
        const std::int64_t id = info.last_datagram_id;
        if (::write(report_fd, &id, sizeof id) != sizeof id) {
            ::_exit(3);
        }
    };
    auto writer = Writer::open(file, options);
    if (!writer) {
        ::_exit(2);
    }
    for (std::int64_t i = 0;; ++i) {
        {
            const SameBatch together(*writer.value());  // as the ingest adds a datagram and its events
            const auto d = writer.value()->add_datagram(testing::datagram(i, "pt1;3;" + std::to_string(i)));
            writer.value()->add_event(testing::event(d, std::nullopt));
        }
        while (writer.value()->pending_rows() > 5000) {
            std::this_thread::yield();  // keep the child's memory bounded; the parent kills it anyway
        }
    }
}

// Reads whole 8-byte reports; false on EOF or when nothing arrives within the timeout.
bool read_report(int fd, std::int64_t& id, std::chrono::milliseconds timeout) {
    char buffer[sizeof(std::int64_t)];
    std::size_t have = 0;
    while (have < sizeof buffer) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
            return false;
        }
        const ssize_t n = ::read(fd, buffer + have, sizeof buffer - have);
        if (n <= 0) {
            return false;
        }
        have += static_cast<std::size_t>(n);
    }
    std::memcpy(&id, buffer, sizeof id);
    return true;
}

std::int64_t count(const std::filesystem::path& file, const std::string& sql, std::int64_t bound) {
    SQLite::Database raw(file, SQLite::OPEN_READONLY);
    SQLite::Statement query(raw, sql);
    query.bind(1, bound);
    query.executeStep();
    return query.getColumn(0).getInt64();
}

TEST(CrashSafety, EveryCommitReportedBeforeSigkillSurvives) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(fds[0]);
        write_until_killed(file, fds[1]);
    }
    ::close(fds[1]);

    std::int64_t reported = 0;
    int reports = 0;
    std::int64_t id = 0;
    while (reported < 20000 && read_report(fds[0], id, 20s)) {
        reported = std::max(reported, id);
        ++reports;
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child ended on its own: " << status;
    ASSERT_GE(reported, 20000) << "the child stopped reporting commits";
    // Reports written before the kill still count: they were sent after their commit.
    while (read_report(fds[0], id, 1s)) {
        reported = std::max(reported, id);
    }
    ::close(fds[0]);
    EXPECT_GE(reports, 3);

    auto db = Database::open(file);
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->integrity_check().value(), "ok");
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM datagram WHERE id <= ?", reported), reported);
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM event WHERE datagram_id <= ?", reported), reported);
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM event WHERE id > ?", 0), db->stats().value().events);
}

}  // namespace
}  // namespace vta::store
