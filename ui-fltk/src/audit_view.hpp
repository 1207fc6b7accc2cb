// The log tab's audit trail: source, action and text filters above a list of the rows that pass, newest first.
// Lives on the FLTK thread only.
#pragma once

#include <FL/Fl_Group.H>

#include "vta/host/snapshot.hpp"
#include "vta/ui/audit_rows.hpp"

class Fl_Browser;
class Fl_Choice;
class Fl_Input;

namespace vta::ui {

class AuditView : public Fl_Group {
public:
    AuditView(int x, int y, int w, int h);

    // Lists the snapshot's trail through the current filter (a no-op when neither changed).
    void render(const host::HostSnapshot& snapshot);
    AuditViewFilter filter() const;
    int shown_rows() const;

private:
    void refresh();

    Fl_Choice* source_;
    Fl_Choice* action_;
    Fl_Input* text_;
    Fl_Browser* list_;
    std::vector<store::AuditEntry> entries_;
    std::int64_t shown_newest_id_ = -1;
    std::size_t shown_count_ = 0;
    bool placed_logged_ = false;
};

}  // namespace vta::ui
