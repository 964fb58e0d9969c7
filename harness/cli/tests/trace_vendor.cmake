# --trace decodes what the vendors put behind the pointers of IOMMU_HWPT_ALLOC
# and IOMMU_HWPT_INVALIDATE: each vendor's end-to-end selftest runs on its
# platform with a trace, which must show the vSTE / VT-d stage-1 config /
# guest DTE fields and the invalidation entries by name, and what comes back
# decoded (IOMMU_GET_HW_INFO's registers, a CMDQV vIOMMU's VINTF page, on
# the tegra241 platform too); and the VFIO selftest on the default platform,
# whose device ioctls show their fields and whose region reads and writes
# show region, offset and value.
# Run by CTest with -DUIOMMUFD=<the command> -DSMMUV3=<interposer_smmuv3_dma>
# -DVTD=<interposer_vtd_dma> -DAMD=<interposer_amd_dma>
# -DVFIO_PCI=<interposer_vfio_pci> -DWORK_DIR=<scratch>.

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(traced platform program)
  execute_process(COMMAND ${UIOMMUFD} run --platform ${platform} --trace=${WORK_DIR}/${platform}.trace
                          -- ${program}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${program} on ${platform}: exit ${rc}\n${out}\n${err}")
  endif()
  file(READ ${WORK_DIR}/${platform}.trace trace)
  set(trace "${trace}" PARENT_SCOPE)
endfunction()

function(expect what regex)
  if(NOT trace MATCHES "${regex}")
    message(SEND_ERROR "${what}: no line matches ${regex}")
  else()
    message(STATUS "ok: ${what}")
  endif()
endfunction()

traced(smmuv3 ${SMMUV3})
expect("SMMUv3 vSTE" "IOMMU_HWPT_ALLOC, {[^}]*data_type=2[^}]*} vSTE{V=1, Config=S1_TRANS\\(5\\), S1Fmt=[0-9]+, S1ContextPtr=0x[0-9a-f]+, S1CDMax=[0-9]+, S1DSS=[0-9]+, EATS=[0-9]+}\\) = 0")
expect("SMMUv3 abort vSTE" "vSTE{V=1, Config=ABORT\\(0\\)")
expect("SMMUv3 commands" "IOMMU_HWPT_INVALIDATE, {[^}]*data_type=1[^}]*} \\[TLBI_NH_VA{VMID=[0-9]+, ASID=[0-9]+, VA=0x[0-9a-f]+")
expect("SMMUv3 HW_INFO registers" "IOMMU_GET_HW_INFO, [^\n]*\\) = 0 {out_data_type=0x2[^\n]*} smmuv3{IDR0=0x[0-9a-f]+, IDR1=0x[0-9a-f]+, IDR3=0x[0-9a-f]+, IDR5=0x[0-9a-f]+, IIDR=0x[0-9a-f]+, AIDR=0x[0-9a-f]+}")

# The same program with a Tegra241 CMDQV: its HW_INFO and the VINTF's page.
traced(tegra241 ${SMMUV3})
expect("CMDQV HW_INFO" "IOMMU_GET_HW_INFO, [^\n]*\\) = 0 {out_data_type=0x3[^\n]*} tegra241_cmdqv{version=1, log2vcmdqs=1, log2vsids=3}")
expect("CMDQV vIOMMU" "IOMMU_VIOMMU_ALLOC, {type=2[^\n]*\\) = 0 {out_viommu_id=[0-9]+} vintf{mmap_offset=0x[0-9a-f]+, mmap_length=0x10000}")

traced(vtd ${VTD})
expect("VT-d stage 1" "IOMMU_HWPT_ALLOC, {[^}]*data_type=1[^}]*} vtd_s1{flags=[^,]*, pgtbl_addr=0x[0-9a-f]+, addr_width=(48|57)}\\) = 0")
expect("VT-d ranges" "IOMMU_HWPT_INVALIDATE, {[^}]*data_type=0[^}]*} \\[{addr=0x[0-9a-f]+, npages=0x1, flags=LEAF}\\]")

traced(amd ${AMD})
expect("AMD HW_INFO registers" "IOMMU_GET_HW_INFO, [^\n]*\\) = 0 {out_data_type=0x4[^\n]*} amd{EFR=0x[0-9a-f]+, EFR2=(0|0x[0-9a-f]+)}")
expect("AMD guest DTE" "IOMMU_HWPT_ALLOC, {[^}]*data_type=3[^}]*} gDTE{V=1, TV=1, Mode=[0-9]+, GV=1, GLX=[0-9]+, GCR3=0x[0-9a-f]+, GuestPagingMode=[0-9]+, DomainID=[0-9]+}")

traced(default ${VFIO_PCI})
expect("VFIO region info" "ioctl\\([0-9]+, VFIO_DEVICE_GET_REGION_INFO, {index=0}\\) = 0 {flags=0x[0-9a-f]+, size=0x[0-9a-f]+, offset=0}")
expect("VFIO bind" "ioctl\\([0-9]+, VFIO_DEVICE_BIND_IOMMUFD, {flags=0, iommufd=[0-9]+}\\) = 0 {out_devid=[0-9]+}")
expect("config read with its value" "pread\\(CONFIG\\+0, 2, 0x8086\\) = 2")
expect("BAR write with its value" "pwrite\\(BAR0\\+0x[0-9a-f]+, [1248], 0x[0-9a-f]+\\) = [1248]")
