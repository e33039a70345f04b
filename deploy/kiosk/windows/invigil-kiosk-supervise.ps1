# Keeps the Invigil kiosk running on Windows: starts it, and when it ends for any reason other than
# a legitimate quit (exit code 10), starts it again after a second. Run by the scheduled task in
# invigil-kiosk-task.xml at the exam user's logon (see apps/kiosk/README.md "Restart after a crash").
param(
  [string]$Kiosk = "$env:ProgramFiles\Invigil Kiosk\Invigil Kiosk.exe",
  [int]$RestartDelaySeconds = 1
)
$QuitExitCode = 10
while ($true) {
  $p = Start-Process -FilePath $Kiosk -PassThru -Wait
  $code = $p.ExitCode
  if ($code -eq $QuitExitCode) {
    Write-Output "The kiosk quit legitimately (exit $code); not restarting."
    exit 0
  }
  Write-Output "The kiosk ended with exit code $code; restarting in $RestartDelaySeconds s."
  Start-Sleep -Seconds $RestartDelaySeconds
}
