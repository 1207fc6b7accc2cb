// Boost.Asio and Boost.Beast compiled once for the whole tree: every target is built with
// BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION (top-level CMakeLists.txt), so the files
// that include them no longer compile their implementation each.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
