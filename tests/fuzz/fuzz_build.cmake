# VTA_FUZZ=ON (the `fuzz` preset, tests/fuzz/run.sh): only the libFuzzer targets and the libraries they need,
# built by clang with AddressSanitizer and UndefinedBehaviorSanitizer, in a build folder of their own.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "VTA_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ "
    "(the fuzz preset and tests/fuzz/run.sh do)")
endif()
# -O1 and line tables only: what libFuzzer and the sanitizers' reports need, cheaper to compile than
# RelWithDebInfo's -O2 -g. The suite's smoke run builds at -O0 (about 40 % less compile time, slower runs, which
# 8 s a target do not need). Assertions stay on (no NDEBUG): a failed one is a finding.
set(VTA_FUZZ_OPTIMIZE "-O1" CACHE STRING "Optimisation of the fuzz targets: -O1 (long runs) or -O0 (the suite's smoke run)")
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "${VTA_FUZZ_OPTIMIZE} -gline-tables-only")
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)

add_subdirectory(host/common)
set_property(TARGET Boost::boost APPEND PROPERTY INTERFACE_LINK_LIBRARIES vta_boost_compiled)
add_subdirectory(pss)
add_subdirectory(obs)
add_subdirectory(host/web)
add_subdirectory(host/licence)

set(fuzz_dir ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz)
function(vta_fuzz_target name)
  add_executable(fuzz_${name} ${fuzz_dir}/fuzz_${name}.cpp ${ARGN})
  target_include_directories(fuzz_${name} PRIVATE ${fuzz_dir})
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  set_target_properties(fuzz_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/fuzz)
endfunction()

vta_fuzz_target(pss)
target_link_libraries(fuzz_pss PRIVATE vta_pss)

# The config loader and the manifest reader are compiled alone: the host and bindings libraries would bring
# LuaJIT, SQLite and every module with them.
vta_fuzz_target(config ${CMAKE_CURRENT_SOURCE_DIR}/host/src/config.cpp)
target_include_directories(fuzz_config PRIVATE host/include host/courts/include)
target_link_libraries(fuzz_config PRIVATE vta_obs vta_pss)

vta_fuzz_target(manifest ${CMAKE_CURRENT_SOURCE_DIR}/bindings/src/manifest.cpp)
target_include_directories(fuzz_manifest PRIVATE bindings/include bindings/src)
target_link_libraries(fuzz_manifest PRIVATE vta_pss)

vta_fuzz_target(licence)
target_link_libraries(fuzz_licence PRIVATE vta_licence)

vta_fuzz_target(obs)
target_link_libraries(fuzz_obs PRIVATE vta_obs)

vta_fuzz_target(web)
target_include_directories(fuzz_web PRIVATE host/web/src)
target_link_libraries(fuzz_web PRIVATE vta_web)
