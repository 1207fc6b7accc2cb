// The signed licence file: the round trip, and every forged or broken input refused with its reason.

#include <functional>

#include <gtest/gtest.h>

#include "support.hpp"
#include "vta/licence/evaluation.hpp"
#include "vta/licence/licence_file.hpp"

namespace vta::licence {
namespace {

using testing::at;
using testing::other_keys;
using testing::sample_licence;
using testing::sample_machine;
using testing::signed_file;
using testing::TempFolder;
using testing::vendor_keys;

// The reason `bytes` is refused with the vendor's key; fails the test when it is accepted.
std::string refusal(std::string_view bytes) {
    auto licence = verify_licence(bytes, vendor_keys().public_pem);
    EXPECT_FALSE(licence.ok()) << "accepted: " << bytes;
    if (licence.ok()) return {};
    EXPECT_EQ(licence.error().code, Errc::licence_refused) << licence.error().message;
    return licence.error().message;
}

// The signed sample file with `edit` applied to its JSON.
std::string edited(const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json file = nlohmann::json::parse(signed_file(sample_licence()));
    edit(file);
    return file.dump(2);
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

TEST(LicenceFile, SignedLicenceVerifiesWithEveryField) {
    const Licence original = sample_licence();
    auto verified = verify_licence(signed_file(original), vendor_keys().public_pem);
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(to_json(*verified), to_json(original));
    EXPECT_EQ(verified->licensee, "Dojang Court 3");
    EXPECT_EQ(verified->machine, sample_machine());
    EXPECT_EQ(verified->last_check, at("2026-01-10T09:00:00Z"));
    EXPECT_TRUE(verified->has("ivr"));
    EXPECT_TRUE(verified->has("courts"));
    EXPECT_FALSE(verified->has("multi_obs"));
    EXPECT_EQ(verified->count("courts"), 12);
    EXPECT_EQ(verified->count("ivr"), 1);
    EXPECT_EQ(verified->count("multi_obs"), 0);
}

TEST(LicenceFile, FileCarriesTheLicenceKeyHintAndABase64Signature) {
    const auto file = nlohmann::json::parse(signed_file(sample_licence()));
    EXPECT_EQ(file["key"], key_id(vendor_keys().public_pem).value());
    EXPECT_EQ(from_base64(file["signature"].get<std::string>()).value().size(), 64u);
    EXPECT_EQ(file["licence"]["features"], nlohmann::json({"ivr", "overlays", "courts=12"}));
    EXPECT_EQ(file["licence"]["issued"], "2026-01-10T09:00:00Z");
    EXPECT_EQ(file["licence"]["machine"]["mac"], std::string(64, 'c'));
}

TEST(LicenceFile, CanonicalFormIsCompactWithSortedKeys) {
    const std::string canonical = canonical_licence(to_json(sample_licence())).value();
    EXPECT_TRUE(
        canonical.starts_with(R"({"expires":"2027-01-10T09:00:00Z","features":["ivr","overlays","courts=12"],)"))
        << canonical;
    EXPECT_EQ(canonical.find("\n"), std::string::npos);
    EXPECT_EQ(canonical.find("\": "), std::string::npos);
}

TEST(LicenceFile, LayoutDoesNotMatterOnlyContent) {
    const auto file = nlohmann::json::parse(signed_file(sample_licence()));
    EXPECT_TRUE(verify_licence(file.dump(), vendor_keys().public_pem).ok());
    EXPECT_TRUE(verify_licence(file.dump(8), vendor_keys().public_pem).ok());
}

TEST(LicenceFile, FieldsANewerServerAddsAreSignedToo) {
    nlohmann::json object = to_json(sample_licence());
    object["seats_used"] = 3;
    const std::string signature = sign(canonical_licence(object).value(), vendor_keys().private_pem).value();
    nlohmann::json file = {
        {"licence", object}, {"key", key_id(vendor_keys().public_pem).value()}, {"signature", to_base64(signature)}};
    EXPECT_TRUE(verify_licence(file.dump(), vendor_keys().public_pem).ok());
    file["licence"]["seats_used"] = 30;
    EXPECT_EQ(refusal(file.dump()),
              "the signature does not match the licence: the file was altered after it was signed");
}

TEST(LicenceFile, FlippedByteInTheSignatureIsRefused) {
    const std::string file = edited([](nlohmann::json& json) {
        std::string signature = from_base64(json["signature"].get<std::string>()).value();
        signature[17] ^= 0x01;
        json["signature"] = to_base64(signature);
    });
    EXPECT_EQ(refusal(file), "the signature does not match the licence: the file was altered after it was signed");
}

TEST(LicenceFile, FlippedByteInTheBodyIsRefused) {
    const std::string file = replaced(signed_file(sample_licence()), "Dojang", "Dojanf");
    EXPECT_EQ(refusal(file), "the signature does not match the licence: the file was altered after it was signed");
}

TEST(LicenceFile, FlippedBitAnywhereIsRefused) {
    const std::string file = signed_file(sample_licence());
    for (std::size_t i = 0; i + 1 < file.size(); ++i) {  // the final newline is layout
        for (const char bit : {0x01, 0x20}) {
            std::string forged = file;
            forged[i] ^= bit;
            auto verified = verify_licence(forged, vendor_keys().public_pem);
            EXPECT_FALSE(verified.ok()) << "byte " << i << " ^ " << int(bit) << " accepted";
            if (!verified.ok()) {
                EXPECT_FALSE(verified.error().message.empty());
            }
        }
    }
}

TEST(LicenceFile, AnotherKeysSignatureIsRefused) {
    const std::string foreign = signed_file(sample_licence(), other_keys());
    EXPECT_EQ(refusal(foreign), "the licence is signed by another key (\"" + key_id(other_keys().public_pem).value() +
                                    "\"; this host trusts " + key_id(vendor_keys().public_pem).value() + ")");
    // A forger who copies this host's key id into the file gets the signature check instead.
    nlohmann::json disguised = nlohmann::json::parse(foreign);
    disguised["key"] = key_id(vendor_keys().public_pem).value();
    EXPECT_EQ(refusal(disguised.dump()),
              "the signature does not match the licence: the file was altered after it was signed");
}

TEST(LicenceFile, ExpiredLicenceReDatedByEditingIsRefused) {
    Licence expired = sample_licence();
    expired.issued = at("2024-01-10T09:00:00Z");
    expired.last_check = expired.issued;
    expired.expires = at("2025-01-10T09:00:00Z");
    const std::string file = signed_file(expired);

    // Genuine but expired: the file verifies, the evaluation says expired.
    auto genuine = verify_licence(file, vendor_keys().public_pem);
    ASSERT_TRUE(genuine.ok()) << genuine.error().message;
    const Observed today{at("2026-02-01T10:00:00Z"), at("2026-02-01T08:00:00Z"), std::nullopt, sample_machine()};
    EXPECT_EQ(evaluate(genuine, today).state, State::expired);

    const std::string redated = replaced(file, "2025-01-10T09:00:00Z", "2027-01-10T09:00:00Z");
    EXPECT_EQ(refusal(redated), "the signature does not match the licence: the file was altered after it was signed");
}

TEST(LicenceFile, TruncatedFileIsRefused) {
    const std::string file = signed_file(sample_licence());
    EXPECT_EQ(refusal(file.substr(0, file.size() / 2)), "the licence file is truncated: its JSON stops unfinished");
    // The last byte kept is the closing brace's predecessor at most; the trailing newline is layout.
    for (std::size_t size = 1; size + 2 < file.size(); ++size) {
        EXPECT_EQ(refusal(file.substr(0, size)), "the licence file is truncated: its JSON stops unfinished")
            << "cut at " << size;
    }
}

TEST(LicenceFile, GarbageIsRefused) {
    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    EXPECT_EQ(refusal(png), "the licence file is not JSON (unreadable from byte 1)");
    EXPECT_TRUE(refusal(signed_file(sample_licence()) + "trailing").starts_with("the licence file is not JSON"));
}

// Found by tests/fuzz (corpus/licence/crash-number-overflow): nlohmann's parser throws out_of_range, not
// parse_error, for a number beyond a double, and the host ended in std::terminate.
TEST(LicenceFile, NumberOutOfRangeIsRefused) {
    EXPECT_EQ(refusal("[1e316{\"/l}e"), "the licence file is not a licence: it holds a number out of range");
    EXPECT_EQ(refusal(R"({"licence": {"issued": 1e400}, "key": "k", "signature": ""})"),
              "the licence file is not a licence: it holds a number out of range");
}

TEST(LicenceFile, EmptyFileIsRefused) {
    EXPECT_EQ(refusal(""), "the licence file is empty");
    EXPECT_EQ(refusal(" \n\t"), "the licence file is empty");
}

TEST(LicenceFile, OversizeFileIsRefusedBeforeParsing) {
    const std::string huge = "[" + std::string(max_licence_file_bytes, ' ') + "]";
    EXPECT_EQ(refusal(huge), "the licence file is over 65536 bytes: no licence is that large");
}

TEST(LicenceFile, WrongShapesAndTypesNameTheField) {
    using json = nlohmann::json;
    EXPECT_EQ(refusal("[1, 2]"),
              "the licence file is not a licence: it holds array instead of {\"licence\": ..., \"key\": ..., "
              "\"signature\": ...}");
    EXPECT_EQ(refusal(edited([](json& f) { f.erase("signature"); })), "signature is missing");
    EXPECT_EQ(refusal(edited([](json& f) { f["signature"] = 12; })), "signature must be a string, not a number");
    EXPECT_EQ(refusal(edited([](json& f) { f.erase("key"); })), "key is missing");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"] = json::array(); })),
              "licence must be an object, not an array");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"].erase("licensee"); })), "licence.licensee is missing");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["licensee"] = ""; })), "licence.licensee is empty");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["key_id"] = true; })),
              "licence.key_id must be a string, not a boolean");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["expires"] = 20270110; })),
              "licence.expires must be a string, not a number");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["expires"] = "2027-02-30T00:00:00Z"; })),
              "licence.expires \"2027-02-30T00:00:00Z\" is not a UTC time like 2026-01-31T12:00:00Z");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["expires"] = "2025-01-01T00:00:00Z"; })),
              "licence.expires is before licence.issued");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["issued"] = nullptr; })),
              "licence.issued must be a string, not null");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["features"] = "ivr"; })),
              "licence.features must be an array of strings, not a string");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["features"][1] = 5; })),
              "licence.features[1] must be a string, not a number");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["features"][2] = "courts=0"; })),
              "licence.features[2] \"courts=0\" is not a feature name (a-z, 0-9, _ and -) or name=N (N >= 1)");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["features"].push_back("courts=3"); })),
              "licence.features lists courts twice");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["machine"] = "abc"; })),
              "licence.machine must be an object, not a string");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["machine"].erase("mac"); })), "licence.machine.mac is missing");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["machine"]["mac"] = 42; })),
              "licence.machine.mac must be a 64-digit hex hash or null, not a number");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["machine"]["mac"] = "52:54:00:12:34:56"; })),
              "licence.machine.mac \"52:54:00:12:34:56\" is not a 64-digit lowercase hex hash");
    EXPECT_EQ(refusal(edited([](json& f) { f["licence"]["last_check"] = 0; })),
              "licence.last_check must be a UTC time or null, not a number");
}

TEST(LicenceFile, MalformedSignatureIsRefused) {
    using json = nlohmann::json;
    EXPECT_EQ(refusal(edited([](json& f) { f["signature"] = "not base64!"; })), "signature is not base64");
    // The last character's unused bits must be zero, so a changed one never decodes to the same bytes.
    EXPECT_EQ(refusal(edited([](json& f) {
                  std::string text = f["signature"];
                  text[text.size() - 3] ^= 0x01;
                  f["signature"] = text;
              })),
              "signature is not base64");
    EXPECT_EQ(refusal(edited([](json& f) { f["signature"] = to_base64(std::string(63, 'x')); })),
              "signature is 63 bytes, not the 64 of an Ed25519 signature");
}

TEST(LicenceFile, NullLastCheckAndNullComponentsAreAccepted) {
    Licence offline = sample_licence();
    offline.last_check.reset();
    offline.machine.product_uuid.reset();
    auto verified = verify_licence(signed_file(offline), vendor_keys().public_pem);
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_FALSE(verified->last_check);
    EXPECT_FALSE(verified->machine.product_uuid);
}

TEST(LicenceFile, SigningRefusesWhatEveryHostWouldRefuse) {
    Licence unnamed = sample_licence();
    unnamed.licensee.clear();
    auto result = sign_licence(unnamed, vendor_keys().private_pem);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Errc::invalid_argument);
    EXPECT_EQ(result.error().message, "cannot sign the licence: licence.licensee is empty");

    Licence not_utf8 = sample_licence();
    not_utf8.licensee = "Court \xff";
    EXPECT_EQ(sign_licence(not_utf8, vendor_keys().private_pem).error().message,
              "cannot sign the licence: the licence holds text that is not UTF-8");

    EXPECT_EQ(sign_licence(sample_licence(), vendor_keys().public_pem).error().message,
              "the signing key is not an unencrypted Ed25519 private key (PEM)");
    EXPECT_EQ(sign_licence(sample_licence(), "garbage").error().code, Errc::invalid_argument);
}

TEST(LicenceFile, VerifyingNeedsAnEd25519PublicKey) {
    auto result = verify_licence(signed_file(sample_licence()), "-----BEGIN PUBLIC KEY-----\nxx\n");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Errc::invalid_argument);
    EXPECT_EQ(result.error().message, "the licence public key is not an Ed25519 key (PEM)");
}

TEST(LicenceFile, ReadsFromDiskWithTheSameChecks) {
    TempFolder folder;
    const auto good = folder.write("licence.json", signed_file(sample_licence()));
    EXPECT_TRUE(read_licence_file(good, vendor_keys().public_pem).ok());

    auto missing = read_licence_file(folder.path() / "none.json", vendor_keys().public_pem);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_EQ(missing.error().message, "no licence file at " + (folder.path() / "none.json").string());

    auto folder_instead = read_licence_file(folder.path(), vendor_keys().public_pem);
    ASSERT_FALSE(folder_instead.ok());
    EXPECT_EQ(folder_instead.error().code, Errc::io);

    const auto huge = folder.write("huge.json", std::string(1 << 20, ' '));
    EXPECT_EQ(read_licence_file(huge, vendor_keys().public_pem).error().message,
              "the licence file is over 65536 bytes: no licence is that large");
}

TEST(Signing, KeyIdsNameKeysAndBothHalvesOfAPairAgree) {
    const auto id = key_id(vendor_keys().public_pem);
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(id->size(), 16u);
    EXPECT_EQ(*id, key_id(vendor_keys().private_pem).value());
    EXPECT_NE(*id, key_id(other_keys().public_pem).value());
    EXPECT_TRUE(vendor_keys().private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    EXPECT_TRUE(vendor_keys().public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
}

TEST(Signing, SignatureCoversTheExactMessage) {
    const std::string signature = sign("court 3", vendor_keys().private_pem).value();
    EXPECT_TRUE(verify("court 3", signature, vendor_keys().public_pem).ok());
    EXPECT_EQ(verify("court 4", signature, vendor_keys().public_pem).error().code, Errc::licence_refused);
    EXPECT_EQ(verify("court 3", signature, other_keys().public_pem).error().code, Errc::licence_refused);
}

TEST(Signing, CompiledInVendorKeyIsAnEd25519PublicKey) {
    EXPECT_TRUE(vendor_public_key().starts_with("-----BEGIN PUBLIC KEY-----"));
    EXPECT_EQ(vendor_public_key().find("PRIVATE"), std::string_view::npos);
    EXPECT_TRUE(key_id(vendor_public_key()).ok());
}

TEST(Signing, Base64RoundTripsAndDecodesStrictly) {
    for (const std::string bytes : {"", "A", "AB", "ABC", "ABCD", "\xff\x00\x10"}) {
        EXPECT_EQ(from_base64(to_base64(bytes)), bytes);
    }
    EXPECT_EQ(to_base64("A"), "QQ==");
    EXPECT_FALSE(from_base64("QR=="));  // non-zero unused bits
    EXPECT_FALSE(from_base64("QQ="));   // not a multiple of 4
    EXPECT_FALSE(from_base64("Q Q=="));
    EXPECT_FALSE(from_base64("Q==="));
    EXPECT_FALSE(from_base64("QQ==QQ=="));
}

TEST(LicenceTimes, OneSpellingPerTime) {
    EXPECT_EQ(format_time(at("2026-01-31T12:00:05Z")), "2026-01-31T12:00:05Z");
    EXPECT_EQ(at("1970-01-01T00:00:00Z").time_since_epoch().count(), 0);
    EXPECT_EQ(at("2024-02-29T23:59:59Z") + std::chrono::seconds(1), at("2024-03-01T00:00:00Z"));
    for (const char* bad : {"2026-01-31 12:00:00Z", "2026-01-31T12:00:00", "2026-01-31T12:00:00+01:00",
                            "2026-1-31T12:00:00Z", "2026-01-31T24:00:00Z", "2025-02-29T00:00:00Z",
                            "1969-12-31T23:59:59Z", "2026-01-31T12:00:60Z", "+026-01-31T12:00:00Z"}) {
        EXPECT_FALSE(parse_time(bad)) << bad;
    }
}

}  // namespace
}  // namespace vta::licence
