/** The icons the console uses (SVG paths from @quasar/extras, so only these end up in the bundle). */
export {
  mdiAccountCircle, mdiLogout, mdiTranslate, mdiMenu, mdiHeadset, mdiMonitorDashboard, mdiCog, mdiRefresh, mdiAlertCircle,
  mdiEmail, mdiPhone, mdiFax, mdiWeb, mdiChat, mdiMessageText, mdiNoteText, mdiInformation, mdiPaperclip, mdiDownload,
  mdiEye, mdiSend, mdiCheck, mdiClose, mdiPause, mdiPlay, mdiKeyboard, mdiMagnify, mdiBookOpenVariant, mdiContentPaste,
  mdiShareAll, mdiCalendarClock, mdiArrowDecision, mdiPauseCircle, mdiPlayCircle, mdiArchive, mdiPlus, mdiPencil, mdiDelete,
  mdiHistory, mdiAccountMultiple, mdiDomain, mdiCalendar, mdiPuzzle, mdiMapMarkerMultiple, mdiChevronLeft, mdiChevronRight,
  mdiAccountArrowRight, mdiLan, mdiLanDisconnect, mdiLanPending, mdiTimerSand, mdiFileDocument, mdiBell, mdiHandBackRight,
  mdiAccountCheck, mdiLockReset, mdiFormatListBulleted, mdiTextBoxSearch,
  mdiRouterNetwork, mdiChartBellCurve, mdiChartBar, mdiCallSplit, mdiFileDelimited, mdiFileExcel, mdiHeadsetOff, mdiLinkVariantOff,
} from '@quasar/extras/mdi-v7';
