# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

<#
.SYNOPSIS
Records, READ-ONLY, the real output of the cmdlets and tools whose output sfb.server parses.

.DESCRIPTION
Run it on a lab Front End (Skype for Business Server 2015/2019) or a Cloud Connector host, in an
elevated Windows PowerShell 5.1. It only calls Get-* and Test-* cmdlets and `w32tm /query`; it
changes nothing on the server. For each command it writes one text file (Format-List * of the
objects, the way an administrator sees them, with any error record) and one JSON file
(ConvertTo-Json of the same objects: the properties the collection reads), each starting with
the header the tests expect (source, product, context, then a --- line).

Copy the files into tests/unit/samples/lab/ of the collection (check them first for names and
addresses you do not want to publish) and run the unit tests: docs/host-seam-tests.md.

.PARAMETER OutputFolder
Where the files go; created when missing.

.PARAMETER Cce
Record the Cloud Connector cmdlets instead of the Skype for Business Server ones.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string]$OutputFolder,
    [switch]$Cce
)

$ErrorActionPreference = 'Continue'
if (-not (Test-Path -LiteralPath $OutputFolder)) {
    New-Item -ItemType Directory -Path $OutputFolder | Out-Null
}
$computer = [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName
$product = 'unknown'
$counter = @{}

function Write-Recording {
    # One recording: a text file (Format-List *) and a JSON file, both with the samples' header.
    param([string]$Command, [string]$CommandLine, [scriptblock]$Read)

    $objects = @()
    $errors = @()
    try {
        $all = @(& $Read 2>&1)
        $objects = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
    }
    catch {
        $errors = @($_)
    }
    $name = $Command -replace '[^A-Za-z0-9-]', '-'
    if (-not $counter.ContainsKey($name)) { $counter[$name] = 0 }
    $counter[$name] = $counter[$name] + 1
    $base = Join-Path -Path $OutputFolder -ChildPath ("{0}.lab{1}" -f $name, $counter[$name])
    $header = @(
        "source: lab recording by sfb.server scripts/record-lab-samples.ps1 on $computer, $((Get-Date).ToUniversalTime().ToString('u'))"
        "product: $product"
        "context: $CommandLine"
        "note: recorded on a lab server; check names and addresses before publishing"
        '---'
    )
    $text = @($header)
    $text += "PS> $CommandLine"
    $text += ($objects | Format-List -Property * | Out-String -Width 4096)
    foreach ($record in $errors) {
        $text += ($record | Format-List -Property * -Force | Out-String -Width 4096)
    }
    Set-Content -LiteralPath "$base.txt" -Value $text -Encoding UTF8
    $json = @($header)
    $json += (ConvertTo-Json -InputObject @($objects) -Depth 4)
    Set-Content -LiteralPath "$base.json" -Value $json -Encoding UTF8
    Write-Host ("{0}: {1} object(s), {2} error(s) -> {3}.txt/.json" -f $CommandLine, $objects.Count, $errors.Count, $base)
}

Write-Recording -Command 'w32tm-query-status' -CommandLine 'w32tm /query /status' -Read { & w32tm.exe /query /status }

if ($Cce) {
    Import-Module -Name CloudConnector
    $product = 'Cloud Connector Edition'
    foreach ($type in @('RunningScripts', 'RunningBits', 'BackupBits')) {
        Write-Recording -Command 'Get-CcVersion' -CommandLine "Get-CcVersion -VersionType $type" -Read {
            Get-CcVersion -VersionType $type
        }
    }
    Write-Recording -Command 'Get-CcRunningVersion' -CommandLine 'Get-CcRunningVersion' -Read { Get-CcRunningVersion }
    Write-Recording -Command 'Get-CcApplianceStatus' -CommandLine 'Get-CcApplianceStatus' -Read { Get-CcApplianceStatus }
    return
}

Import-Module -Name SkypeForBusiness
$product = "$(Get-CsServerVersion)"
$pool = (Get-CsComputer -Identity $computer).Pool

Write-Recording -Command 'Get-CsServerVersion' -CommandLine 'Get-CsServerVersion' -Read { Get-CsServerVersion }
Write-Recording -Command 'Get-CsServerPatchVersion' -CommandLine 'Get-CsServerPatchVersion' -Read { Get-CsServerPatchVersion }
Write-Recording -Command 'Get-CsWindowsService' -CommandLine 'Get-CsWindowsService' -Read { Get-CsWindowsService }
Write-Recording -Command 'Get-CsComputer' -CommandLine "Get-CsComputer -Identity $computer" -Read { Get-CsComputer -Identity $computer }
Write-Recording -Command 'Get-CsPool' -CommandLine "Get-CsPool -Identity $pool" -Read { Get-CsPool -Identity $pool }
Write-Recording -Command 'Get-CsPoolFabricState' -CommandLine "Get-CsPoolFabricState -PoolFqdn $pool" -Read {
    Get-CsPoolFabricState -PoolFqdn $pool
}
Write-Recording -Command 'Get-CsPoolFabricState' -CommandLine "Get-CsPoolFabricState -PoolFqdn $pool -Verbose 4>&1" -Read {
    Get-CsPoolFabricState -PoolFqdn $pool -Verbose 4>&1
}
if (Get-Command -Name Get-CsUpgradeDomainInfo -ErrorAction SilentlyContinue) {
    Write-Recording -Command 'Get-CsUpgradeDomainInfo' -CommandLine "Get-CsUpgradeDomainInfo" -Read {
        Get-CsUpgradeDomainInfo
    }
}
if (Get-Command -Name Get-CsPoolUpgradeReadinessState -ErrorAction SilentlyContinue) {
    Write-Recording -Command 'Get-CsPoolUpgradeReadinessState' -CommandLine 'Get-CsPoolUpgradeReadinessState' -Read {
        Get-CsPoolUpgradeReadinessState
    }
    Write-Recording -Command 'Get-CsPoolUpgradeReadinessState' -CommandLine 'Get-CsPoolUpgradeReadinessState | Select-Object -ExpandProperty UpgradeDomains' -Read {
        Get-CsPoolUpgradeReadinessState | Select-Object -ExpandProperty UpgradeDomains
    }
}
Write-Recording -Command 'Get-CsManagementStoreReplicationStatus' -CommandLine 'Get-CsManagementStoreReplicationStatus' -Read {
    Get-CsManagementStoreReplicationStatus
}
Write-Recording -Command 'Get-CsCertificate' -CommandLine 'Get-CsCertificate' -Read { Get-CsCertificate }
Write-Recording -Command 'Test-CsDatabase' -CommandLine 'Test-CsDatabase -LocalService' -Read { Test-CsDatabase -LocalService }
