// `vta-test`: the shipped `vta` verifying licences with the test suite's key, so the end-to-end tests run
// licensed (test_licence.hpp) without the vendor's private key.
#include "test_licence.hpp"
#include "vta/licence/signing.hpp"
#include "vta/ui/panel.hpp"

int main(int argc, char** argv) {
    vta::licence::trust_public_key_instead(std::string(vta::test::test_public_key()));
    return vta::ui::vta_main(argc, argv);
}
