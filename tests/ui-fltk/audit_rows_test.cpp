// The log tab's audit rows: newest first, filtered by source, action and text (subject and before/after).
#include <gtest/gtest.h>

#include "vta/ui/audit_rows.hpp"

namespace vta::ui {
namespace {

using store::AuditAction;
using store::AuditEntry;
using store::AuditSource;

std::vector<AuditEntry> trail() {
    std::vector<AuditEntry> entries(4);
    entries[0].id = 1, entries[0].source = AuditSource::panel(), entries[0].action = AuditAction::manual_event;
    entries[0].subject = "pt1;3;";
    entries[1].id = 2, entries[1].source = AuditSource::cli(), entries[1].action = AuditAction::secret_set;
    entries[1].subject = "obs_rec";
    entries[2].id = 3, entries[2].source = AuditSource::script("control"),
    entries[2].action = AuditAction::control_room;
    entries[2].subject = "set_scene", entries[2].after = nlohmann::json{{"OBS_STR", {{"error", "Connection Down"}}}};
    entries[3].id = 4, entries[3].source = AuditSource::panel(), entries[3].action = AuditAction::settings_saved;
    entries[3].before = nlohmann::json{{"/udp/port", 6000}}, entries[3].after = nlohmann::json{{"/udp/port", 6001}};
    return entries;
}

std::vector<std::int64_t> ids(const std::vector<AuditRowView>& rows) {
    std::vector<std::int64_t> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
}

TEST(AuditRows, NewestFirstThroughSourceActionAndTextFilters) {
    const auto entries = trail();
    EXPECT_EQ(ids(audit_rows(entries, {})), (std::vector<std::int64_t>{4, 3, 2, 1}));
    EXPECT_EQ(ids(audit_rows(entries, {"panel", "all", ""})), (std::vector<std::int64_t>{4, 1}));
    EXPECT_EQ(ids(audit_rows(entries, {"script", "all", ""})), (std::vector<std::int64_t>{3}));
    EXPECT_EQ(ids(audit_rows(entries, {"all", "secret_set", ""})), (std::vector<std::int64_t>{2}));
    EXPECT_EQ(ids(audit_rows(entries, {"all", "all", "connection down"})), (std::vector<std::int64_t>{3}));
    EXPECT_EQ(ids(audit_rows(entries, {"all", "all", "6001"})), (std::vector<std::int64_t>{4}));
    EXPECT_TRUE(audit_rows(entries, {"cli", "manual_event", ""}).empty());
    const auto saved = audit_rows(entries, {"all", "settings_saved", ""});
    ASSERT_EQ(saved.size(), 1u);
    EXPECT_EQ(saved[0].detail, R"({"/udp/port":6000} -> {"/udp/port":6001})");
    EXPECT_EQ(saved[0].tone, Tone::good);
    EXPECT_EQ(audit_rows(entries, {"all", "manual_event", ""})[0].tone, Tone::busy);
    EXPECT_EQ(audit_action_names().front(), "all");
    EXPECT_EQ(audit_action_names().size(), 18u);
}

}  // namespace
}  // namespace vta::ui
