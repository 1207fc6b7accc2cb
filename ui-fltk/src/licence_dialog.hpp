// The licence dialog: the details of the licence in force and the activation (key -> server). Non-modal: the
// operator keeps working the panel while it is open. Lives on the FLTK thread only.
#pragma once

#include <string>
#include <vector>

#include <FL/Fl_Double_Window.H>

#include "vta/host/operator_actions.hpp"
#include "vta/ui/view_models.hpp"

class Fl_Box;
class Fl_Browser;
class Fl_Button;
class Fl_Input;

namespace vta::ui {

class LicenceDialog : public Fl_Double_Window {
public:
    explicit LicenceDialog(host::OperatorActions& host);

    // Shows the dialog centred over `over`, filled from `licence`.
    void open(const Fl_Window& over, const host::LicenceView& licence);
    // Brings the shown details and the activation's progress up to date (each snapshot while shown).
    void render(const host::LicenceView& licence);

private:
    void activate_key();
    // Where the fields are in the dialog: the UI test clicks them.
    void log_geometry() const;

    host::OperatorActions& host_;
    Fl_Browser* details_ = nullptr;
    Fl_Input* server_ = nullptr;
    Fl_Input* key_ = nullptr;
    Fl_Button* activate_ = nullptr;
    Fl_Box* activation_ = nullptr;
    std::vector<std::string> shown_lines_;  // the details as last listed: unchanged ones are not listed again
    bool server_prefilled_ = false;         // the configured server is put in once; then it is the operator's
};

}  // namespace vta::ui
