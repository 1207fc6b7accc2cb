// The machine fingerprint from fake /etc, /sys and /proc trees, and how two fingerprints compare.

#include <gtest/gtest.h>

#include "support.hpp"
#include "vta/licence/fingerprint.hpp"

namespace vta::licence {
namespace {

using testing::TempFolder;

// Pinned: changing the hashing scheme would turn every issued licence into one for another machine.
constexpr const char* machine_id_hash = "08a93c5ad7454e96dce7170076d9e35771e3843098a0276db2c849a3094a44d2";
constexpr const char* product_uuid_hash = "5a03033cc8d673e3e6d02670b3d5424fb70674daa3e72732455810226b010da9";
constexpr const char* eth0_mac_hash =
    "4c2427fcccf9ec2c8a0b9e2a55d56ff08984be9adbb8b1c1ecd497a2e3e748f6";  // 52:54:00:12:34:56
constexpr const char* eth1_mac_hash =
    "548cdb8be364244d95a04dd4de37993cdfc273aa517a515153f5cdee68e3800b";  // 52:54:00:ab:cd:ef
constexpr const char* docker_mac_hash =
    "8ed092fefd6f7f73ca798325630b6404a03be0d4af18d83cc025198394b5fe68";  // 02:42:ac:11:00:02

constexpr const char* route_header =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

// A machine with a machine-id, a DMI UUID, a loopback, a bridge and two physical NICs; no routes yet.
class FakeMachine {
public:
    FakeMachine() {
        folder_.write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        folder_.write("sys/dmi/product_uuid", "4C4C4544-0042-3510-8052-B4C04F4E4E32\n");
        add_interface("lo", "00:00:00:00:00:00", false);
        add_interface("docker0", "02:42:ac:11:00:02", false);
        add_interface("eth0", "52:54:00:12:34:56", true);
        add_interface("eth1", "52:54:00:AB:CD:EF", true);
    }

    void add_interface(const std::string& name, const std::string& mac, bool physical) {
        folder_.write("sys/net/" + name + "/address", mac + "\n");
        if (physical) std::filesystem::create_directories(folder_.path() / "sys/net" / name / "device");
    }
    void remove(const std::filesystem::path& relative) { std::filesystem::remove_all(folder_.path() / relative); }
    void write(const std::filesystem::path& relative, const std::string& text) { folder_.write(relative, text); }
    void routes(const std::string& lines) { folder_.write("proc/route", route_header + lines); }

    FingerprintPaths paths() const {
        return FingerprintPaths{folder_.path() / "etc/machine-id", folder_.path() / "sys/dmi/product_uuid",
                                folder_.path() / "proc/route", folder_.path() / "sys/net"};
    }
    Fingerprint read() const { return read_fingerprint(paths()); }

private:
    TempFolder folder_;
};

TEST(Fingerprint, HashesEachComponentNeverKeepingTheValue) {
    FakeMachine machine;
    machine.routes("eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n");
    const Fingerprint fingerprint = machine.read();
    EXPECT_EQ(fingerprint.machine_id, machine_id_hash);
    EXPECT_EQ(fingerprint.product_uuid, product_uuid_hash);  // case and whitespace normalised first
    EXPECT_EQ(fingerprint.mac, eth0_mac_hash);
    const std::string json = to_json(fingerprint).dump();
    EXPECT_EQ(json.find("0123456789abcdef0123"), std::string::npos);
    EXPECT_EQ(json.find("4c4c4544"), std::string::npos);
    EXPECT_EQ(json.find("52:54"), std::string::npos);
}

TEST(Fingerprint, ProductUuidAbsentUnreadableOrPlaceholderIsLeftOut) {
    FakeMachine machine;
    machine.remove("sys/dmi/product_uuid");
    EXPECT_FALSE(machine.read().product_uuid);
    EXPECT_EQ(machine.read().machine_id, machine_id_hash);
    // Reading fails (a folder stands where the file should be), as for a root-only file.
    std::filesystem::create_directories(machine.paths().product_uuid);
    EXPECT_FALSE(machine.read().product_uuid);
    machine.remove("sys/dmi/product_uuid");
    machine.write("sys/dmi/product_uuid", "00000000-0000-0000-0000-000000000000\n");
    EXPECT_FALSE(machine.read().product_uuid);
    machine.write("sys/dmi/product_uuid", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\n");
    EXPECT_FALSE(machine.read().product_uuid);
}

TEST(Fingerprint, MachineIdMustBeAnId) {
    FakeMachine machine;
    machine.write("etc/machine-id", "uninitialized\n");
    EXPECT_FALSE(machine.read().machine_id);
    machine.remove("etc/machine-id");
    EXPECT_FALSE(machine.read().machine_id);
    machine.write("etc/machine-id", "  0123456789ABCDEF0123456789ABCDEF  \n");
    EXPECT_EQ(machine.read().machine_id, machine_id_hash);
}

TEST(Fingerprint, MacOfTheDefaultRoutesInterface) {
    FakeMachine machine;
    machine.routes(
        "eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        "eth1\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n");
    EXPECT_EQ(machine.read().mac, eth1_mac_hash);
}

TEST(Fingerprint, LowestMetricDefaultRouteThatIsUpWins) {
    FakeMachine machine;
    machine.routes(
        "eth0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        "eth1\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "docker0\t00000000\t010011AC\t0002\t0\t0\t5\t00000000\t0\t0\t0\n");  // not up
    EXPECT_EQ(machine.read().mac, eth1_mac_hash);
}

TEST(Fingerprint, WithoutRoutesFirstPhysicalInterfaceByName) {
    FakeMachine machine;  // no route file: docker0 sorts first but is virtual, lo is all zero
    EXPECT_EQ(machine.read().mac, eth0_mac_hash);
    machine.routes("");  // a route file without a default route
    EXPECT_EQ(machine.read().mac, eth0_mac_hash);
}

TEST(Fingerprint, DefaultRouteOverATunnelFallsBackToANic) {
    FakeMachine machine;
    std::filesystem::create_directories(machine.paths().interfaces / "tun0");  // tunnels have no address
    machine.routes("tun0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n");
    EXPECT_EQ(machine.read().mac, eth0_mac_hash);
}

TEST(Fingerprint, VirtualInterfaceOnlyWhenThereIsNoPhysicalOne) {
    FakeMachine machine;
    machine.remove("sys/net/eth0");
    machine.remove("sys/net/eth1");
    EXPECT_EQ(machine.read().mac, docker_mac_hash);
    machine.remove("sys/net/docker0");
    EXPECT_FALSE(machine.read().mac);  // only the loopback, all zero
}

TEST(Fingerprint, RouteFileCannotPointOutsideTheInterfacesFolder) {
    FakeMachine machine;
    machine.write("sys/secret/address", "52:54:00:ab:cd:ef\n");
    machine.routes("../secret\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
    EXPECT_EQ(machine.read().mac, eth0_mac_hash);
}

TEST(Fingerprint, MalformedMacIsIgnored) {
    FakeMachine machine;
    machine.routes("eth1\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n");
    machine.write("sys/net/eth1/address", "52:54:00:ab:cd\n");
    EXPECT_EQ(machine.read().mac, eth0_mac_hash);
    machine.write("sys/net/eth1/address", "52-54-00-ab-cd-ef\n");
    EXPECT_EQ(machine.read().mac, eth0_mac_hash);
}

TEST(Fingerprint, EmptyWhenNothingIsReadable) {
    const Fingerprint nothing =
        read_fingerprint({"/nonexistent/machine-id", "/nonexistent/uuid", "/nonexistent/route", "/nonexistent/net"});
    EXPECT_EQ(nothing, Fingerprint{});
}

TEST(Fingerprint, ThisMachineGivesHashesOnly) {
    const Fingerprint here = read_fingerprint();
    EXPECT_TRUE(fingerprint_from_json(to_json(here), "machine").ok());  // each present one is a 64-digit hash
    EXPECT_EQ(read_fingerprint(), here);
}

TEST(MachineMatch, OneChangedOrMissingComponentIsTheSameMachine) {
    const Fingerprint licensed = testing::sample_machine();
    EXPECT_TRUE(compare(licensed, licensed).differing.empty());

    Fingerprint new_nic = licensed;
    new_nic.mac = std::string(64, 'd');
    EXPECT_TRUE(compare(licensed, new_nic).same_machine());
    EXPECT_EQ(compare(licensed, new_nic).differing, std::vector<std::string>{"mac"});

    Fingerprint not_root = licensed;
    not_root.product_uuid.reset();
    EXPECT_TRUE(compare(licensed, not_root).same_machine());
    EXPECT_EQ(compare(licensed, not_root).differing, std::vector<std::string>{"product_uuid"});

    Fingerprint both_without_uuid = not_root;
    EXPECT_TRUE(compare(not_root, both_without_uuid).differing.empty());
}

TEST(MachineMatch, TwoChangedComponentsAreAnotherMachine) {
    const Fingerprint licensed = testing::sample_machine();
    Fingerprint other = licensed;
    other.machine_id = std::string(64, 'e');
    other.mac = std::string(64, 'f');
    const MachineMatch match = compare(licensed, other);
    EXPECT_FALSE(match.same_machine());
    EXPECT_EQ(match.differing, (std::vector<std::string>{"machine_id", "mac"}));

    Fingerprint new_nic_not_root = licensed;
    new_nic_not_root.mac = std::string(64, 'f');
    new_nic_not_root.product_uuid.reset();
    EXPECT_FALSE(compare(licensed, new_nic_not_root).same_machine());
}

TEST(FingerprintJson, RoundTripsAndNamesBadFields) {
    Fingerprint fingerprint = testing::sample_machine();
    fingerprint.product_uuid.reset();
    const nlohmann::json json = to_json(fingerprint);
    EXPECT_TRUE(json["product_uuid"].is_null());
    EXPECT_EQ(fingerprint_from_json(json, "request.machine").value(), fingerprint);

    nlohmann::json upper = json;
    upper["mac"] = std::string(64, 'C');
    EXPECT_EQ(
        fingerprint_from_json(upper, "request.machine").error().message,
        "request.machine.mac \"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC\"... is not a 64-digit lowercase hex hash");
}

}  // namespace
}  // namespace vta::licence
