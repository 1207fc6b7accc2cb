// Secrets at rest: the encrypted secrets file, owner-only files whatever the umask, and a real `vta` that
// uses a stored OBS password without it showing in its log, in `vta config` or in its warnings.
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "child_process.hpp"
#include "vta/host/audit_log.hpp"
#include "vta/host/setup.hpp"
#include "vta/secrets/secrets_file.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace {

using vta::secrets::MachineIdentity;
using vta::test::ChildProcess;
using vta::test::TempFolder;

const std::string vta_binary = VTA_BINARY;
const std::string test_password = "Tk-Secret-7f3a9c";

const MachineIdentity this_machine{"0123456789abcdef0123456789abcdef", std::nullopt};
const MachineIdentity other_machine{"fedcba9876543210fedcba9876543210", std::nullopt};

mode_t mode_of(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return 0;
    return info.st_mode & 0777;
}

std::string read_all(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every test here runs with umask 000: what is owner-only must be made so by the host, not by the umask.
class PermissiveUmask : public ::testing::Test {
protected:
    void SetUp() override { previous_ = ::umask(0); }
    void TearDown() override { ::umask(previous_); }

private:
    mode_t previous_ = 022;
};

using SecretsFile = PermissiveUmask;

TEST_F(SecretsFile, RoundTripInAnOwnerOnlyFile) {
    TempFolder folder;
    const auto file = folder.path() / "new-folder" / "secrets.json.enc";
    const vta::secrets::Secrets secrets{{"obs_rec", test_password}, {"obs_str", "second"}};
    ASSERT_TRUE(vta::secrets::write_secrets(file, secrets, this_machine));
    const auto read = vta::secrets::read_secrets(file, this_machine);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(*read, secrets);
    EXPECT_EQ(mode_of(file), 0600u);
    EXPECT_EQ(mode_of(file.parent_path()), 0700u);
    EXPECT_EQ(read_all(file).find(test_password), std::string::npos) << "the value is stored in clear";
    EXPECT_EQ(read_all(file).find(this_machine.machine_id), std::string::npos) << "the machine id is stored";
}

TEST_F(SecretsFile, AMissingFileHoldsNoSecrets) {
    TempFolder folder;
    const auto read = vta::secrets::read_secrets(folder.path() / "secrets.json.enc", this_machine);
    ASSERT_TRUE(read);
    EXPECT_TRUE(read->empty());
}

TEST_F(SecretsFile, AFileFromAnotherMachineIsRefusedSayingSo) {
    TempFolder folder;
    const auto file = folder.path() / "secrets.json.enc";
    ASSERT_TRUE(vta::secrets::write_secrets(file, {{"obs_rec", test_password}}, other_machine));
    const auto read = vta::secrets::read_secrets(file, this_machine);
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().message.find(file.string()), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find("another machine"), std::string::npos) << read.error().message;
    EXPECT_EQ(read.error().message.find(test_password), std::string::npos);
}

TEST_F(SecretsFile, AFlippedByteIsRefusedSayingItWasAltered) {
    TempFolder folder;
    const auto file = folder.path() / "secrets.json.enc";
    ASSERT_TRUE(vta::secrets::write_secrets(file, {{"obs_rec", test_password}}, this_machine));
    const std::string original = read_all(file);
    // A byte of the nonce, of the ciphertext, of the tag, and the byte saying what the key was derived from.
    for (const std::size_t at : {std::size_t(12), std::size_t(14), original.size() / 2, original.size() - 1}) {
        std::string altered = original;
        altered[at] = char(altered[at] ^ 0x01);
        std::ofstream(file, std::ios::binary | std::ios::trunc) << altered;
        const auto read = vta::secrets::read_secrets(file, this_machine);
        ASSERT_FALSE(read) << "byte " << at;
        EXPECT_NE(read.error().message.find(file.string()), std::string::npos) << read.error().message;
        const bool explained = read.error().message.find("altered") != std::string::npos ||
                               read.error().message.find("product UUID") != std::string::npos;
        EXPECT_TRUE(explained) << "byte " << at << ": " << read.error().message;
    }
}

TEST_F(SecretsFile, AKeyFromTheProductUuidNeedsItReadable) {
    TempFolder folder;
    const auto file = folder.path() / "secrets.json.enc";
    MachineIdentity as_root = this_machine;
    as_root.product_uuid = "4c4c4544-0042-3510-8052-b7c04f4e3732";
    ASSERT_TRUE(vta::secrets::write_secrets(file, {{"obs_rec", test_password}}, as_root));
    EXPECT_TRUE(vta::secrets::read_secrets(file, as_root));
    const auto read = vta::secrets::read_secrets(file, this_machine);
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().message.find("product UUID"), std::string::npos) << read.error().message;
}

using OwnerOnlyFiles = PermissiveUmask;

TEST_F(OwnerOnlyFiles, ANewDatabaseAndItsFolderAreOwnerOnly) {
    TempFolder folder;
    const auto file = folder.path() / "data" / "restrike-vta" / "vta.sqlite3";
    {
        auto db = vta::store::Database::open(file);
        ASSERT_TRUE(db) << db.error().message;
    }
    EXPECT_EQ(mode_of(file), 0600u);
    EXPECT_EQ(mode_of(file.parent_path()), 0700u);
    EXPECT_EQ(mode_of(file.parent_path().parent_path()), 0700u);
}

// The host with a config naming a stored secret, on a machine whose secrets file another machine wrote.
TEST(HostSecrets, ASecretFromAnotherMachineLeavesTheConnectionWithoutAPasswordAndSaysWhy) {
    TempFolder folder;
    vta::host::HostSetup setup;
    setup.secrets_file = folder.path() / "secrets.json.enc";
    ASSERT_TRUE(vta::secrets::write_secrets(setup.secrets_file, {{"obs_rec", test_password}}, other_machine));
    vta::obs::ConnectionConfig connection;
    connection.name = "OBS_REC";
    connection.password_secret = "obs_rec";
    setup.config.obs.push_back(connection);
    vta::host::resolve_secrets(setup, this_machine);
    EXPECT_TRUE(setup.config.obs[0].password.empty());
    ASSERT_EQ(setup.warnings.size(), 1u);
    EXPECT_NE(setup.warnings[0].find("another machine"), std::string::npos) << setup.warnings[0];
    EXPECT_NE(setup.warnings[0].find("without"), std::string::npos) << setup.warnings[0];

    vta::host::HostSetup same_machine = setup;
    same_machine.warnings.clear();
    ASSERT_TRUE(vta::secrets::write_secrets(setup.secrets_file, {{"obs_rec", test_password}}, this_machine));
    vta::host::resolve_secrets(same_machine, this_machine);
    EXPECT_EQ(same_machine.config.obs[0].password, test_password);
    EXPECT_TRUE(same_machine.warnings.empty());
}

TEST(HostSecrets, TheBrokerPasswordOfTheCourtsComesFromTheSecretsFileAndAPlainOneIsWarnedAbout) {
    TempFolder folder;
    vta::host::HostSetup setup;
    setup.secrets_file = folder.path() / "secrets.json.enc";
    ASSERT_TRUE(vta::secrets::write_secrets(setup.secrets_file, {{"courts_broker", test_password}}, this_machine));
    setup.config.courts.username = "court3";
    setup.config.courts.password_secret = "courts_broker";
    vta::host::resolve_secrets(setup, this_machine);
    EXPECT_EQ(setup.config.courts.password, test_password);
    EXPECT_TRUE(setup.warnings.empty());

    vta::host::HostSetup plain;
    plain.secrets_file = setup.secrets_file;
    plain.config.courts.password = test_password;
    vta::host::resolve_secrets(plain, this_machine);
    ASSERT_EQ(plain.warnings.size(), 1u);
    EXPECT_NE(plain.warnings[0].find("vta secret set courts_broker"), std::string::npos) << plain.warnings[0];
    EXPECT_EQ(plain.warnings[0].find(test_password), std::string::npos) << plain.warnings[0];
}

class VtaWithASecret : public PermissiveUmask {
protected:
    TempFolder folder_;
    std::map<std::string, std::string> env_ = folder_.xdg_env();
    std::filesystem::path config_dir_ = folder_.path() / "config" / "restrike-vta";
    std::filesystem::path config_file_ = config_dir_ / "config.json";

    void write_config(const nlohmann::json& password) {
        std::filesystem::create_directories(config_dir_);
        const nlohmann::json config = {
            {"obs",
             {{{"name", "OBS_REC"}, {"role", "rec"}, {"host", "127.0.0.1"}, {"port", 1}, {"password", password}}}},
            {"overlays", {{"enabled", false}}}};
        std::ofstream(config_file_) << config.dump(2);
    }
};

TEST_F(VtaWithASecret, ThePasswordIsNowhereInTheLogTheConfigOutputOrTheFilesAndEachFileIsOwnerOnly) {
    write_config({{"secret", "obs_rec"}});
    // The value on standard input, as an operator would pipe it.
    const auto [set_status, set_output] = vta::test::run_to_end(
        "/bin/sh", {"-c", "printf '%s\\n' '" + test_password + "' | '" + vta_binary + "' secret set obs_rec"}, env_);
    ASSERT_EQ(set_status, 0) << set_output;
    const auto [list_status, list_output] = vta::test::run_to_end(vta_binary, {"secret", "list"}, env_);
    ASSERT_EQ(list_status, 0) << list_output;
    EXPECT_EQ(list_output, "obs_rec\n");

    const auto output = folder_.path() / "run.out";
    {
        ChildProcess host(vta_binary,
                          {"run", "--bind", "127.0.0.1", "--port", std::to_string(vta::test::free_udp_port())}, env_,
                          output);
        ASSERT_TRUE(vta::test::wait_until([&] { return host.output().find("listening for PSS") != std::string::npos; },
                                          std::chrono::seconds(20)))
            << host.output();
        host.signal(SIGTERM);
        ASSERT_TRUE(host.wait(std::chrono::seconds(20)).has_value());
    }
    const auto log_file = folder_.path() / "state" / "restrike-vta" / "vta.log";
    const std::string log = read_all(log_file);
    ASSERT_NE(log.find("starting"), std::string::npos) << log;
    EXPECT_EQ(log.find(test_password), std::string::npos) << log;
    EXPECT_EQ(read_all(output).find(test_password), std::string::npos);
    EXPECT_EQ(log.find("plain text"), std::string::npos) << "a stored secret is not a plain password";

    const auto [config_status, config_output] = vta::test::run_to_end(vta_binary, {"config"}, env_);
    ASSERT_EQ(config_status, 0) << config_output;
    EXPECT_NE(config_output.find("secrets.json.enc"), std::string::npos) << config_output;
    EXPECT_EQ(config_output.find(test_password), std::string::npos) << config_output;
    EXPECT_EQ(read_all(config_file_).find(test_password), std::string::npos);

    const auto secrets_file = config_dir_ / "secrets.json.enc";
    EXPECT_EQ(mode_of(secrets_file), 0600u);
    EXPECT_EQ(read_all(secrets_file).find(test_password), std::string::npos);
    const auto database = folder_.path() / "data" / "restrike-vta" / "vta.sqlite3";
    EXPECT_EQ(mode_of(database), 0600u);
    EXPECT_EQ(mode_of(database.parent_path()), 0700u);
    EXPECT_EQ(mode_of(log_file), 0600u);
    EXPECT_EQ(mode_of(log_file.parent_path()), 0700u);

    const auto [delete_status, delete_output] =
        vta::test::run_to_end(vta_binary, {"secret", "delete", "obs_rec"}, env_);
    EXPECT_EQ(delete_status, 0) << delete_output;
    // Both commands are in the audit trail by the secret's name, never its value.
    const auto [audit_status, audit_output] = vta::test::run_to_end(vta_binary, {"audit", "--json"}, env_);
    ASSERT_EQ(audit_status, 0) << audit_output;
    const auto rows = nlohmann::json::parse(audit_output);
    ASSERT_EQ(rows.size(), 2u) << audit_output;
    EXPECT_EQ(rows[0]["action"], "secret_set");
    EXPECT_EQ(rows[1]["action"], "secret_deleted");
    EXPECT_EQ(rows[1]["source"], "cli");
    EXPECT_EQ(rows[1]["subject"], "obs_rec");
    EXPECT_EQ(audit_output.find(test_password), std::string::npos) << audit_output;
    const auto [missing_status, missing_output] = vta::test::run_to_end(vta_binary, {"config"}, env_);
    EXPECT_NE(missing_output.find("secret \"obs_rec\" is not in"), std::string::npos) << missing_output;
}

// A settings-saved audit row: a plain password (and one typed over it) shows as its path with "***", a reference
// as its name; neither the database file nor `vta audit` holds the password.
TEST_F(VtaWithASecret, ASettingsSavedAuditRowNeverHoldsThePassword) {
    const auto database = folder_.path() / "data" / "restrike-vta" / "vta.sqlite3";
    {
        auto writer = vta::store::Writer::open(database);
        ASSERT_TRUE(writer) << writer.error().message;
        vta::host::AuditLog audit(**writer);
        const nlohmann::json before = {{"obs", {{{"name", "OBS_REC"}, {"password", test_password}}}},
                                       {"courts", {{"password", test_password + "-broker"}}}};
        nlohmann::json after = before;
        after["obs"][0]["password"] = test_password + "-new";
        const auto [was, now] = vta::host::config_change(before, after);
        audit.record(vta::store::AuditSource::panel(), vta::store::AuditAction::settings_saved, "", was, now);
        // A caller that passes whole documents is masked too.
        audit.record(vta::store::AuditSource::panel(), vta::store::AuditAction::settings_imported, "x.json", before,
                     after);
        ASSERT_TRUE((*writer)->close());
    }
    const auto [status, output] = vta::test::run_to_end(vta_binary, {"audit", "--json"}, env_);
    ASSERT_EQ(status, 0) << output;
    const auto rows = nlohmann::json::parse(output);
    ASSERT_EQ(rows.size(), 2u) << output;
    EXPECT_EQ(rows[0]["before"], nlohmann::json({{"/obs/0/password", "***"}})) << output;
    EXPECT_EQ(rows[0]["after"], nlohmann::json({{"/obs/0/password", "***"}})) << output;
    EXPECT_EQ(rows[1]["after"]["courts"]["password"], "***") << output;
    EXPECT_EQ(output.find(test_password), std::string::npos) << output;
    EXPECT_EQ(read_all(database).find(test_password), std::string::npos);
    EXPECT_EQ(read_all(database.string() + "-wal").find(test_password), std::string::npos);
}

TEST_F(VtaWithASecret, APlainPasswordStillWorksWithAWarningThatDoesNotRepeatIt) {
    write_config(test_password);
    const auto [status, output] = vta::test::run_to_end(vta_binary, {"config"}, env_);
    ASSERT_EQ(status, 0) << output;
    EXPECT_NE(output.find("plain text"), std::string::npos) << output;
    EXPECT_NE(output.find("vta secret set obs_obs_rec"), std::string::npos) << output;
    EXPECT_EQ(output.find(test_password), std::string::npos) << output;
}

TEST_F(VtaWithASecret, ASecretsFileFromAnotherMachineIsNamedAndTheHostGoesOn) {
    write_config({{"secret", "obs_rec"}});
    ASSERT_TRUE(
        vta::secrets::write_secrets(config_dir_ / "secrets.json.enc", {{"obs_rec", test_password}}, other_machine));
    const auto [status, output] = vta::test::run_to_end(vta_binary, {"config"}, env_);
    ASSERT_EQ(status, 0) << output;
    EXPECT_NE(output.find((config_dir_ / "secrets.json.enc").string()), std::string::npos) << output;
    EXPECT_NE(output.find("another machine"), std::string::npos) << output;
    const auto [list_status, list_output] = vta::test::run_to_end(vta_binary, {"secret", "list"}, env_);
    EXPECT_EQ(list_status, 1);
    EXPECT_NE(list_output.find("another machine"), std::string::npos) << list_output;
}

}  // namespace
