// The CLI reads through open_read_only while the host's Writer commits on another connection.

#include <thread>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using namespace std::chrono_literals;
using testing::TempFolder;

TEST(ReadOnly, ReadsConsistentSnapshotsWhileTheWriterCommits) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    constexpr int total = 20'000;
    WriterOptions options;
    options.batch_rows = 200;
    options.batch_delay = 1ms;
    auto writer = Writer::open(file, options).value();
    auto reader = Database::open_read_only(file);
    ASSERT_TRUE(reader) << reader.error().message;

    std::thread producer([&] {
        for (int i = 0; i < total; ++i) {
            const auto d = writer->add_datagram(testing::datagram(i));
            writer->add_event(testing::event(d, std::nullopt));
        }
    });
    std::int64_t seen = 0;
    int reads = 0;
    std::string failure;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (seen < total && failure.empty()) {
        auto stats = reader->stats();
        if (!stats) {
            failure = stats.error().message;
            break;
        }
        // Every snapshot is a committed state: counts only grow, and a datagram's event is never
        // visible before its datagram.
        if (stats->datagrams < seen || stats->events > stats->datagrams) {
            failure = "inconsistent snapshot: " + nlohmann::json(stats.value()).dump();
        }
        seen = stats->datagrams;
        ++reads;
        if (std::chrono::steady_clock::now() > deadline) {
            failure = "only " + std::to_string(seen) + " datagrams visible after 30 s";
        }
    }
    producer.join();
    EXPECT_TRUE(failure.empty()) << failure;
    EXPECT_GT(reads, 1);
    ASSERT_TRUE(writer->close());
    EXPECT_EQ(reader->stats().value().events, total);
}

TEST(ReadOnly, OpensAfterTheWriterHasClosed) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    {
        auto writer = Writer::open(file).value();
        writer->add_datagram(testing::datagram(5));
        ASSERT_TRUE(writer->close());
    }
    auto reader = Database::open_read_only(file);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_EQ(reader->stats().value().datagrams, 1);
    EXPECT_EQ(reader->integrity_check().value(), "ok");
}

}  // namespace
}  // namespace vta::store
